"""Amazon EMR: clusters whose steps really run on local Spark (DESIGN D4).

provider.py is the thin provider; clusters.py, steps.py, instances.py, groups.py, fleets.py,
policies.py, job_flows.py, releases.py and account_settings.py hold the operations; cluster_config.py
builds a cluster's document; lifecycle.py the state machines; store.py the SQLite state;
release_data.py and instance_types.py are AWS's published tables; step_runner.py the worker thread
per cluster; step_launch.py and spark_submit.py turn a `command-runner.jar` step into a Spark
application or a program run as it is; step_logs.py publishes the driver logs under the cluster's
LogUri. Bootstrap actions are recorded and listed, never run. May import the protocol layer, storage
and the Spark engine.
"""
