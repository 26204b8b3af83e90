#!/usr/bin/env bash
# Glue ETL jobs and EMR steps run on Spark, which needs a Java JDK (java, and javac for the lake
# file system). Install OpenJDK 17 where we can (Debian/Ubuntu as root); elsewhere say what to do.
# Never fatal: everything but Spark works without Java, and those runs fail saying why.
set -u
if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/javac" ]; then exit 0; fi
if command -v javac >/dev/null 2>&1 && command -v java >/dev/null 2>&1; then exit 0; fi
if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  echo "lakebox: installing OpenJDK 17 for Spark (Glue jobs, EMR steps) ..."
  { timeout 600 apt-get install -y -q openjdk-17-jdk-headless || { timeout 300 apt-get update -q && \
    timeout 600 apt-get install -y -q openjdk-17-jdk-headless; }; } >/dev/null 2>&1 && exit 0
fi
echo "lakebox: no Java JDK found. Glue job runs and EMR steps need one: install OpenJDK 17" \
     "(Debian/Ubuntu: apt-get install openjdk-17-jdk-headless; macOS: brew install openjdk@17) or set JAVA_HOME." >&2
exit 0
