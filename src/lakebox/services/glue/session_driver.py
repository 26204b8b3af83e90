"""The driver of a Glue interactive session: one Spark application that runs statements in order.

    spark-submit session_driver.py <session folder>

Never imported by lakebox: session_worker.py has spark-submit run this file as the driver's main
file. It starts Spark once (`spark`, `sc` and `glueContext` are defined for the statements, as in a
Glue notebook), then runs each statement in one shared namespace, so a variable set by one is seen
by the next. The folder is how lakebox and the driver talk; every file is written whole (a temp
file, then a rename):

- `driver.pid` (the driver's Python process, which a cancel signals) and `ready`, once Spark is up;
- `statements/<id>.py`, a statement's code (lakebox); `<id>.started` when it starts (epoch ms);
  `<id>.json`, its output, as GetStatement shows it; `<id>.cancel`, a cancel request (lakebox).

A statement's output is what it prints, then, as in a notebook, the repr of its last line when that
line is an expression whose value is not None. An exception is the output's error (its name, value
and traceback). A cancel (SIGINT from lakebox) cancels the running Spark jobs and interrupts the
code. Standard library and pyspark only: it runs in the driver's Python, not in lakebox.
"""

import ast
import contextlib
import io
import json
import os
import signal
import sys
import threading
import time
import traceback

#: The session's `statements` folder (set by main from the command line).
STATEMENTS = "statements"
POLL_SECONDS = 0.05
#: The statement running now, for the SIGINT handler.
running = {"id": None}


def write_whole(path, text):
    staged = path + ".part"
    with open(staged, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(staged, path)


def now_ms():
    return int(time.time() * 1000)


def statement_path(statement_id, suffix):
    return os.path.join(STATEMENTS, f"{statement_id}.{suffix}")


def run_code(code, namespace):
    """(printed text, the value of a last expression line or None); exceptions propagate."""
    tree = ast.parse(code, filename="<stdin>", mode="exec")
    last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(tree, "<stdin>", "exec"), namespace)  # noqa: S102 - the session's purpose
        value = None
        if last is not None:
            value = eval(compile(ast.Expression(last.value), "<stdin>", "eval"), namespace)  # noqa: S307
    text = printed.getvalue()
    if value is not None:
        text += repr(value)
    return text


def output_of(statement_id, code, namespace):
    try:
        text = run_code(code, namespace)
        return {"Status": "ok", "Data": {"TextPlain": text}}
    except KeyboardInterrupt:
        if os.path.exists(statement_path(statement_id, "cancel")):
            return {"Cancelled": True}
        raise
    except BaseException as exc:  # noqa: BLE001 - the statement's error is its output
        frames = traceback.format_exception(type(exc), exc, exc.__traceback__)
        # Drop this file's own frames: the traceback starts at the statement's code.
        user = [line for line in frames if __file__ not in line]
        return {"Status": "error", "ErrorName": type(exc).__name__, "ErrorValue": str(exc),
                "Traceback": user, "Data": {"TextPlain": ""}}


def on_interrupt(signum, frame):
    """A cancel: stop the statement's Spark jobs (from another thread: this one may be inside a
    Spark call) and interrupt its Python code."""
    statement_id = running["id"]
    if statement_id is None or not os.path.exists(statement_path(statement_id, "cancel")):
        return
    context = globals().get("sc")
    if context is not None:
        threading.Thread(target=context.cancelAllJobs, daemon=True).start()
    raise KeyboardInterrupt


def start_spark():
    from pyspark.context import SparkContext
    from awsglue.context import GlueContext

    context = SparkContext.getOrCreate()
    glue_context = GlueContext(context)
    globals()["sc"] = context
    return {"__name__": "__main__", "sc": context, "glueContext": glue_context,
            "spark": glue_context.spark_session}


def main():
    global STATEMENTS
    folder = sys.argv[1]
    STATEMENTS = os.path.join(folder, "statements")
    os.makedirs(STATEMENTS, exist_ok=True)
    write_whole(os.path.join(folder, "driver.pid"), str(os.getpid()))
    namespace = start_spark()
    signal.signal(signal.SIGINT, on_interrupt)
    write_whole(os.path.join(folder, "ready"), str(now_ms()))
    statement_id = 1
    while True:
        code_path = statement_path(statement_id, "py")
        if not os.path.exists(code_path):
            time.sleep(POLL_SECONDS)
            continue
        with open(code_path, encoding="utf-8") as handle:
            code = handle.read()
        if os.path.exists(statement_path(statement_id, "cancel")):
            output = {"Cancelled": True}
        else:
            write_whole(statement_path(statement_id, "started"), str(now_ms()))
            running["id"] = statement_id
            try:
                output = output_of(statement_id, code, namespace)
            except KeyboardInterrupt:
                output = {"Cancelled": True}
            finally:
                running["id"] = None
        output["CompletedOn"] = now_ms()
        write_whole(statement_path(statement_id, "json"), json.dumps(output))
        statement_id += 1


if __name__ == "__main__":
    main()
