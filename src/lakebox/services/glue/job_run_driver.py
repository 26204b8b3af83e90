"""The first code a Glue Spark job's driver runs: it keeps the script's stderr apart, then runs the script.

    python job_run_driver.py <stderr file> <script> [script arguments ...]

Never imported by lakebox: job_run_app.py copies this file next to the job's script in the run's
folder, and spark-submit runs it as the driver's main file. Why: spark-submit merges a Python driver's
stderr into its stdout, while Glue keeps them apart (print() output in `/aws-glue/jobs/output`,
tracebacks and `logging` in `/aws-glue/jobs/error`). So this points file descriptor 2 at a file of its
own, then runs the script as `__main__` with the sys.argv Glue gives it, and prints an uncaught
exception's traceback from the script's first frame on, as if the script had been run directly.
Standard library only: it runs in the driver's Python, not in lakebox.
"""

import os
import runpy
import sys
import traceback


def main() -> None:
    stderr_file, script = sys.argv[1], os.path.abspath(sys.argv[2])
    sys.stderr.flush()
    fd = os.open(stderr_file, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.dup2(fd, 2)
    os.close(fd)
    sys.stderr = open(2, "w", buffering=1, encoding="utf-8", errors="backslashreplace", closefd=False)
    sys.argv = [script, *sys.argv[3:]]
    sys.path[0] = os.path.dirname(script)
    try:
        runpy.run_path(script, run_name="__main__")
    except SystemExit:
        raise
    except BaseException as exc:  # noqa: BLE001 - reported as the interpreter would, then exit 1
        tb = exc.__traceback__
        while tb is not None and tb.tb_frame.f_code.co_filename != script:
            tb = tb.tb_next
        traceback.print_exception(type(exc), exc, tb or exc.__traceback__)
        sys.stderr.flush()
        sys.exit(1)


if __name__ == "__main__":
    main()
