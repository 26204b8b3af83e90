"""Glue triggers and workflows over boto3: trigger CRUD and states, triggers that really start crawlers
(on demand, on a schedule of the service clock, on another crawl's end), workflow runs counted from
their real crawls, run properties, persistence across a restart, and bad inputs with AWS's codes."""

from __future__ import annotations

import time

import pytest
from botocore.exceptions import ClientError
from crawler_helpers import ROLE, make_s3, put_json_lines, wait_ready
from glue_helpers import error_of
from glue_job_helpers import wait_for

BUCKET = "lake"


@pytest.fixture
def slow_crawls(monkeypatch):
    """Every file a crawl classifies takes 0.2 s more, so a crawl of 40 files is certainly still
    running when a test stops it or the server (a crawl notices a cancel between files)."""
    from lakebox.services.glue import crawler_run

    classify = crawler_run.classify_file

    def slowly(*args, **kwargs):
        time.sleep(0.2)
        return classify(*args, **kwargs)

    monkeypatch.setattr(crawler_run, "classify_file", slowly)


def _crawler(glue, name, folder):
    glue.create_crawler(Name=name, Role=ROLE, DatabaseName="raw_data",
                        Targets={"S3Targets": [{"Path": f"s3://{BUCKET}/{folder}/"}]})


def _job(glue, name="etl"):
    glue.create_job(Name=name, Role=ROLE, Command={"Name": "glueetl", "ScriptLocation": "s3://lake/etl.py"})


def _error(call, **kwargs) -> tuple[int, str, str]:
    with pytest.raises(ClientError) as exc:
        call(**kwargs)
    return error_of(exc)


def _wait(check, timeout=30.0):
    return wait_for(check, timeout)


def _run_done(glue, workflow, run_id):
    run = glue.get_workflow_run(Name=workflow, RunId=run_id)["Run"]
    return run if run["Status"] in ("COMPLETED", "STOPPED", "ERROR") else None


# -- CRUD and states -------------------------------------------------------------------------------------

def test_trigger_crud_states_and_tags(glue):
    _job(glue)
    glue.create_trigger(Name="nightly", Type="SCHEDULED", Schedule="cron(0 2 * * ? *)",
                        Actions=[{"JobName": "etl"}], Tags={"team": "data"})
    glue.create_trigger(Name="now", Type="ON_DEMAND", Actions=[{"JobName": "etl"}])
    trigger = glue.get_trigger(Name="nightly")["Trigger"]
    assert (trigger["State"], trigger["Type"], trigger["Schedule"]) == ("CREATED", "SCHEDULED", "cron(0 2 * * ? *)")
    assert trigger["Id"] and not any(k.startswith("_") for k in trigger)
    glue.start_trigger(Name="nightly")
    assert glue.get_trigger(Name="nightly")["Trigger"]["State"] == "ACTIVATED"
    glue.stop_trigger(Name="nightly")
    assert glue.get_trigger(Name="nightly")["Trigger"]["State"] == "DEACTIVATED"
    assert glue.list_triggers()["TriggerNames"] == ["nightly", "now"]
    assert glue.list_triggers(Tags={"team": "data"})["TriggerNames"] == ["nightly"]
    arn = "arn:aws:glue:us-east-1:000000000000:trigger/nightly"
    assert glue.get_tags(ResourceArn=arn)["Tags"] == {"team": "data"}
    page = glue.get_triggers(MaxResults=1)
    assert [t["Name"] for t in page["Triggers"]] == ["nightly"]
    assert [t["Name"] for t in glue.get_triggers(NextToken=page["NextToken"])["Triggers"]] == ["now"]
    batch = glue.batch_get_triggers(TriggerNames=["now", "missing"])
    assert [t["Name"] for t in batch["Triggers"]] == ["now"] and batch["TriggersNotFound"] == ["missing"]
    updated = glue.update_trigger(Name="nightly", TriggerUpdate={"Schedule": "cron(0 3 * * ? *)"})["Trigger"]
    assert updated["Schedule"] == "cron(0 3 * * ? *)" and updated["State"] == "DEACTIVATED"
    glue.delete_trigger(Name="nightly")
    glue.delete_trigger(Name="nightly")  # not an error, as documented
    assert _error(glue.get_trigger, Name="nightly")[:2] == (400, "EntityNotFoundException")


def test_dependent_job_name_filters_triggers(glue):
    _job(glue, "a")
    _job(glue, "b")
    glue.create_trigger(Name="ta", Type="ON_DEMAND", Actions=[{"JobName": "a"}])
    glue.create_trigger(Name="tb", Type="ON_DEMAND", Actions=[{"JobName": "b"}])
    assert [t["Name"] for t in glue.get_triggers(DependentJobName="b")["Triggers"]] == ["tb"]
    assert glue.list_triggers(DependentJobName="a")["TriggerNames"] == ["ta"]


def test_start_on_creation_activates_scheduled_and_conditional(glue):
    _crawler(glue, "c", "data")
    glue.create_trigger(Name="s", Type="SCHEDULED", Schedule="cron(5 3 * * ? *)", StartOnCreation=True,
                        Actions=[{"CrawlerName": "c"}])
    glue.create_trigger(Name="k", Type="CONDITIONAL", StartOnCreation=True, Actions=[{"CrawlerName": "c"}],
                        Predicate={"Conditions": [{"LogicalOperator": "EQUALS", "CrawlerName": "c",
                                                   "CrawlState": "FAILED"}]})
    assert glue.get_trigger(Name="s")["Trigger"]["State"] == "ACTIVATED"
    assert glue.get_trigger(Name="k")["Trigger"]["State"] == "ACTIVATED"


# -- real effects ----------------------------------------------------------------------------------------

def test_on_demand_trigger_runs_its_crawler_for_real(glue, s3):
    put_json_lines(s3, BUCKET, "data/orders/a.json", [{"id": 1, "amount": 2.5}])
    _crawler(glue, "c", "data/orders")
    _job(glue)
    glue.create_trigger(Name="go", Type="ON_DEMAND", Actions=[{"CrawlerName": "c"}, {"JobName": "etl"}])
    glue.start_trigger(Name="go")
    crawler = _wait(lambda: (c := glue.get_crawler(Name="c")["Crawler"]).get("LastCrawl") and
                    c["State"] == "READY" and c)
    assert crawler["LastCrawl"]["Status"] == "SUCCEEDED"
    table = glue.get_table(DatabaseName="raw_data", Name="orders")["Table"]
    assert [c["Name"] for c in table["StorageDescriptor"]["Columns"]] == ["id", "amount"]
    assert glue.get_trigger(Name="go")["Trigger"]["State"] == "CREATED"


def test_scheduled_trigger_fires_when_the_clock_advances(glue, s3, lakebox_server):
    put_json_lines(s3, BUCKET, "data/items/a.json", [{"id": 1}])
    _crawler(glue, "c", "data/items")
    glue.create_trigger(Name="daily", Type="SCHEDULED", Schedule="cron(0 2 * * ? *)", StartOnCreation=True,
                        Actions=[{"CrawlerName": "c"}])
    time.sleep(0.2)
    assert "LastCrawl" not in glue.get_crawler(Name="c")["Crawler"]
    lakebox_server.advance_clock("1d")
    assert wait_ready(glue, "c")["LastCrawl"]["Status"] == "SUCCEEDED"
    assert glue.get_table(DatabaseName="raw_data", Name="items")["Table"]["Name"] == "items"


def test_deactivated_scheduled_trigger_does_not_fire(glue, s3, lakebox_server):
    _crawler(glue, "c", "data")
    glue.create_trigger(Name="daily", Type="SCHEDULED", Schedule="cron(0 2 * * ? *)",
                        Actions=[{"CrawlerName": "c"}])
    lakebox_server.advance_clock("1d")
    time.sleep(0.3)
    assert "LastCrawl" not in glue.get_crawler(Name="c")["Crawler"]


def test_conditional_trigger_chains_crawler_a_to_crawler_b(glue, s3):
    put_json_lines(s3, BUCKET, "raw/events/a.json", [{"id": 1}])
    put_json_lines(s3, BUCKET, "clean/users/a.json", [{"user": "u", "age": 3}])
    _crawler(glue, "a", "raw/events")
    _crawler(glue, "b", "clean/users")
    glue.create_trigger(Name="then-b", Type="CONDITIONAL", StartOnCreation=True, Actions=[{"CrawlerName": "b"}],
                        Predicate={"Logical": "ANY", "Conditions": [
                            {"LogicalOperator": "EQUALS", "CrawlerName": "a", "CrawlState": "SUCCEEDED"}]})
    glue.start_crawler(Name="a")
    crawler_b = _wait(lambda: (c := glue.get_crawler(Name="b")["Crawler"]).get("LastCrawl") and
                      c["State"] == "READY" and c)
    assert crawler_b["LastCrawl"]["Status"] == "SUCCEEDED"
    assert glue.get_table(DatabaseName="raw_data", Name="users")["Table"]["Name"] == "users"
    assert glue.get_table(DatabaseName="raw_data", Name="events")["Table"]["Name"] == "events"


# -- workflows -------------------------------------------------------------------------------------------

def _pipeline(glue, s3, *, job=False):
    put_json_lines(s3, BUCKET, "raw/events/a.json", [{"id": 1}])
    put_json_lines(s3, BUCKET, "clean/users/a.json", [{"user": "u"}])
    _crawler(glue, "a", "raw/events")
    _crawler(glue, "b", "clean/users")
    glue.create_workflow(Name="wf", DefaultRunProperties={"env": "dev", "day": "1"})
    glue.create_trigger(Name="start", WorkflowName="wf", Type="ON_DEMAND", Actions=[{"CrawlerName": "a"}])
    actions = [{"CrawlerName": "b"}] + ([{"JobName": "etl"}] if job else [])
    glue.create_trigger(Name="after-a", WorkflowName="wf", Type="CONDITIONAL", StartOnCreation=True, Actions=actions,
                        Predicate={"Conditions": [{"LogicalOperator": "EQUALS", "CrawlerName": "a",
                                                   "CrawlState": "SUCCEEDED"}]})


def test_workflow_run_statistics_count_the_real_crawls(glue, s3):
    _job(glue)
    _pipeline(glue, s3, job=True)
    run_id = glue.start_workflow_run(Name="wf", RunProperties={"day": "2"})["RunId"]
    run = _wait(lambda: _run_done(glue, "wf", run_id))
    assert run["Status"] == "COMPLETED"
    assert run["Statistics"]["TotalActions"] == 3
    assert run["Statistics"]["SucceededActions"] == 2
    # The job action really runs: its script s3://lake/etl.py does not exist, so the run fails.
    assert run["Statistics"]["FailedActions"] == 1 and run["Statistics"]["ErroredActions"] == 0
    assert run["Statistics"]["RunningActions"] == 0
    assert run["WorkflowRunProperties"] == {"env": "dev", "day": "2"}
    assert glue.get_table(DatabaseName="raw_data", Name="users")["Table"]["Name"] == "users"
    graph = glue.get_workflow_run(Name="wf", RunId=run_id, IncludeGraph=True)["Run"]["Graph"]
    nodes = {(n["Type"], n["Name"]): n for n in graph["Nodes"]}
    assert set(nodes) == {("TRIGGER", "start"), ("TRIGGER", "after-a"), ("CRAWLER", "a"), ("CRAWLER", "b"),
                          ("JOB", "etl")}
    assert [c["State"] for c in nodes[("CRAWLER", "b")]["CrawlerDetails"]["Crawls"]] == ["SUCCEEDED"]
    job_runs = nodes[("JOB", "etl")]["JobDetails"]["JobRuns"]
    assert [(r["JobRunState"], r["TriggerName"]) for r in job_runs] == [("FAILED", "after-a")]
    assert "s3://lake/etl.py does not exist" in job_runs[0]["ErrorMessage"]
    ids = {n["UniqueId"]: name for name, n in nodes.items()}
    edges = {(ids[e["SourceId"]], ids[e["DestinationId"]]) for e in graph["Edges"]}
    assert edges == {(("TRIGGER", "start"), ("CRAWLER", "a")), (("CRAWLER", "a"), ("TRIGGER", "after-a")),
                     (("TRIGGER", "after-a"), ("CRAWLER", "b")), (("TRIGGER", "after-a"), ("JOB", "etl"))}
    workflow = glue.get_workflow(Name="wf", IncludeGraph=True)["Workflow"]
    assert workflow["LastRun"]["WorkflowRunId"] == run_id and len(workflow["Graph"]["Nodes"]) == 5
    assert [r["WorkflowRunId"] for r in glue.get_workflow_runs(Name="wf")["Runs"]] == [run_id]


def test_workflow_without_start_trigger_completes_at_once(glue):
    glue.create_workflow(Name="empty")
    run_id = glue.start_workflow_run(Name="empty")["RunId"]
    run = glue.get_workflow_run(Name="empty", RunId=run_id)["Run"]
    assert run["Status"] == "COMPLETED" and run["Statistics"]["TotalActions"] == 0
    assert _error(glue.stop_workflow_run, Name="empty", RunId=run_id)[:2] == (400, "IllegalWorkflowStateException")


def test_run_properties_get_and_put(glue):
    glue.create_workflow(Name="wf", DefaultRunProperties={"a": "1"})
    run_id = glue.start_workflow_run(Name="wf")["RunId"]
    assert glue.get_workflow_run_properties(Name="wf", RunId=run_id)["RunProperties"] == {"a": "1"}
    glue.put_workflow_run_properties(Name="wf", RunId=run_id, RunProperties={"b": "2", "a": "3"})
    assert glue.get_workflow_run_properties(Name="wf", RunId=run_id)["RunProperties"] == {"a": "3", "b": "2"}


def test_max_concurrent_runs_and_stop(glue, s3, slow_crawls):
    for i in range(40):
        put_json_lines(s3, BUCKET, f"big/p{i}/f.json", [{"id": i}])
    _crawler(glue, "slow", "big")
    glue.create_workflow(Name="one", MaxConcurrentRuns=1)
    glue.create_trigger(Name="go", WorkflowName="one", Type="ON_DEMAND", Actions=[{"CrawlerName": "slow"}])
    run_id = glue.start_workflow_run(Name="one")["RunId"]
    assert glue.get_workflow_run(Name="one", RunId=run_id)["Run"]["Status"] == "RUNNING"
    assert _error(glue.start_workflow_run, Name="one")[:2] == (400, "ConcurrentRunsExceededException")
    glue.stop_workflow_run(Name="one", RunId=run_id)
    run = _wait(lambda: _run_done(glue, "one", run_id))
    assert run["Status"] == "STOPPED"
    assert run["Statistics"]["TotalActions"] == 1


def test_delete_workflow_deletes_its_triggers(glue):
    glue.create_workflow(Name="wf")
    _job(glue)
    glue.create_trigger(Name="t", WorkflowName="wf", Type="ON_DEMAND", Actions=[{"JobName": "etl"}])
    glue.delete_workflow(Name="wf")
    assert glue.list_workflows()["Workflows"] == []
    assert glue.list_triggers()["TriggerNames"] == []
    glue.delete_workflow(Name="wf")


def test_triggers_workflows_and_runs_survive_a_restart(tmp_path):
    from glue_helpers import make_glue

    from lakebox.testing import running_lakebox

    data = tmp_path / "data"
    with running_lakebox(data, set_env=False) as server:
        glue = make_glue(server.endpoint_url)
        s3 = make_s3(server.endpoint_url)
        s3.create_bucket(Bucket=BUCKET)
        glue.create_database(DatabaseInput={"Name": "raw_data"})
        put_json_lines(s3, BUCKET, "raw/events/a.json", [{"id": 1}])
        _crawler(glue, "a", "raw/events")
        glue.create_workflow(Name="wf", Description="d", MaxConcurrentRuns=2)
        glue.create_trigger(Name="start", WorkflowName="wf", Type="ON_DEMAND", Actions=[{"CrawlerName": "a"}])
        run_id = glue.start_workflow_run(Name="wf")["RunId"]
        _wait(lambda: _run_done(glue, "wf", run_id))
    with running_lakebox(data, set_env=False) as server:
        glue = make_glue(server.endpoint_url)
        assert glue.get_workflow(Name="wf")["Workflow"]["MaxConcurrentRuns"] == 2
        assert glue.get_trigger(Name="start")["Trigger"]["WorkflowName"] == "wf"
        run = glue.get_workflow_run(Name="wf", RunId=run_id)["Run"]
        assert run["Status"] == "COMPLETED" and run["Statistics"]["SucceededActions"] == 1
    assert (data / ".lakebox" / "glue" / "workflows.db").is_file()


# -- bad inputs ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("condition, message", [
    ({"JobName": "etl", "LogicalOperator": "EQUALS"},
     "State cannot be null or empty, choose from one of the following job state: [SUCCEEDED, STOPPED, FAILED, TIMEOUT]"),
    ({"CrawlerName": "c", "LogicalOperator": "EQUALS"},
     "State cannot be null or empty, choose from one of the following crawler state: [SUCCEEDED, FAILED, CANCELLED]"),
    ({"LogicalOperator": "EQUALS"}, "JobName or CrawlerName in condition cannot be null or empty"),
])
def test_incomplete_predicate_conditions_are_refused_in_glue_words(glue, condition, message):
    _job(glue)
    assert _error(glue.create_trigger, Name="t", Type="CONDITIONAL", Actions=[{"JobName": "etl"}],
                  Predicate={"Logical": "ANY", "Conditions": [condition]}) == (400, "InvalidInputException", message)
    assert glue.list_triggers()["TriggerNames"] == []


def test_bad_trigger_inputs(glue):
    _job(glue)
    job = [{"JobName": "etl"}]
    assert _error(glue.create_trigger, Name="t", Type="ON_DEMAND", Actions=job, StartOnCreation=True)[:2] == \
        (400, "InvalidInputException")
    assert _error(glue.create_trigger, Name="t", Type="SCHEDULED", Actions=job)[:2] == (400, "InvalidInputException")
    assert _error(glue.create_trigger, Name="t", Type="SCHEDULED", Schedule="cron(99 * * * ? *)",
                  Actions=job)[:2] == (400, "InvalidInputException")
    assert _error(glue.create_trigger, Name="t", Type="CONDITIONAL", Actions=job) == \
        (400, "InvalidInputException", "Predicate cannot be null or empty")
    assert _error(glue.create_trigger, Name="t", Type="ON_DEMAND",
                  Actions=[{"JobName": "etl", "CrawlerName": "c"}]) == \
        (400, "InvalidInputException", "Both JobName and CrawlerName cannot be set together in an action")
    assert _error(glue.create_trigger, Name="t", Type="ON_DEMAND", Actions=[{"JobName": "nope"}])[:2] == \
        (400, "EntityNotFoundException")
    assert _error(glue.create_trigger, Name="t", Type="ON_DEMAND", Actions=job, WorkflowName="nope")[:2] == \
        (400, "EntityNotFoundException")
    glue.create_trigger(Name="t", Type="ON_DEMAND", Actions=job)
    assert _error(glue.create_trigger, Name="t", Type="ON_DEMAND", Actions=job)[:2] == (400, "AlreadyExistsException")
    assert _error(glue.start_trigger, Name="nope")[:2] == (400, "EntityNotFoundException")
    assert _error(glue.update_trigger, Name="nope", TriggerUpdate={})[:2] == (400, "EntityNotFoundException")


def test_bad_workflow_inputs(glue):
    glue.create_workflow(Name="wf")
    assert _error(glue.create_workflow, Name="wf")[:2] == (400, "AlreadyExistsException")
    assert _error(glue.get_workflow, Name="nope") == (400, "EntityNotFoundException", "Entity not found")
    assert _error(glue.start_workflow_run, Name="nope")[:2] == (400, "EntityNotFoundException")
    assert _error(glue.get_workflow_run, Name="wf", RunId="wr_missing")[:2] == (400, "EntityNotFoundException")
    assert _error(glue.stop_workflow_run, Name="wf", RunId="wr_missing")[:2] == (400, "EntityNotFoundException")
    assert _error(glue.put_workflow_run_properties, Name="wf", RunId="wr_missing",
                  RunProperties={"a": "b"})[:2] == (400, "EntityNotFoundException")
    assert _error(glue.update_workflow, Name="nope")[:2] == (400, "EntityNotFoundException")


def test_and_predicate_waits_for_every_crawler(glue, s3):
    for folder in ("raw/a", "raw/b", "raw/c"):
        put_json_lines(s3, BUCKET, f"{folder}/f.json", [{"id": 1}])
    for name in ("a", "b", "c"):
        _crawler(glue, name, f"raw/{name}")
    glue.create_trigger(Name="both", Type="CONDITIONAL", StartOnCreation=True, Actions=[{"CrawlerName": "c"}],
                        Predicate={"Logical": "AND", "Conditions": [
                            {"LogicalOperator": "EQUALS", "CrawlerName": "a", "CrawlState": "SUCCEEDED"},
                            {"LogicalOperator": "EQUALS", "CrawlerName": "b", "CrawlState": "SUCCEEDED"}]})
    glue.start_crawler(Name="a")
    wait_ready(glue, "a")
    time.sleep(0.3)
    assert "LastCrawl" not in glue.get_crawler(Name="c")["Crawler"]
    glue.start_crawler(Name="b")
    assert _wait(lambda: (c := glue.get_crawler(Name="c")["Crawler"]).get("LastCrawl") and
                 c["State"] == "READY" and c)["LastCrawl"]["Status"] == "SUCCEEDED"


def test_scheduled_start_trigger_starts_a_workflow_run(glue, s3, lakebox_server):
    put_json_lines(s3, BUCKET, "raw/events/a.json", [{"id": 1}])
    _crawler(glue, "a", "raw/events")
    glue.create_workflow(Name="wf")
    glue.create_trigger(Name="daily", WorkflowName="wf", Type="SCHEDULED", Schedule="cron(0 2 * * ? *)",
                        StartOnCreation=True, Actions=[{"CrawlerName": "a"}])
    assert glue.get_workflow_runs(Name="wf")["Runs"] == []
    lakebox_server.advance_clock("1d")
    runs = _wait(lambda: glue.get_workflow_runs(Name="wf")["Runs"])
    run = _wait(lambda: _run_done(glue, "wf", runs[0]["WorkflowRunId"]))
    assert run["Status"] == "COMPLETED" and run["Statistics"]["SucceededActions"] == 1


def test_resume_reruns_a_failed_node_and_what_follows(glue, s3):
    put_json_lines(s3, BUCKET, "clean/users/a.json", [{"user": "u"}])
    glue.create_crawler(Name="a", Role=ROLE, DatabaseName="raw_data",
                        Targets={"S3Targets": [{"Path": "s3://later/events/"}]})
    _crawler(glue, "b", "clean/users")
    glue.create_workflow(Name="wf")
    glue.create_trigger(Name="start", WorkflowName="wf", Type="ON_DEMAND", Actions=[{"CrawlerName": "a"}])
    glue.create_trigger(Name="after-a", WorkflowName="wf", Type="CONDITIONAL", StartOnCreation=True,
                        Actions=[{"CrawlerName": "b"}],
                        Predicate={"Conditions": [{"LogicalOperator": "EQUALS", "CrawlerName": "a",
                                                   "CrawlState": "SUCCEEDED"}]})
    run_id = glue.start_workflow_run(Name="wf")["RunId"]
    run = _wait(lambda: _run_done(glue, "wf", run_id))
    assert (run["Status"], run["Statistics"]["FailedActions"], run["Statistics"]["TotalActions"]) == ("COMPLETED", 1, 1)
    make_s3(glue.meta.endpoint_url).create_bucket(Bucket="later")
    put_json_lines(s3, "later", "events/a.json", [{"id": 1}])
    nodes = glue.get_workflow(Name="wf", IncludeGraph=True)["Workflow"]["Graph"]["Nodes"]
    node_a = next(n["UniqueId"] for n in nodes if n["Type"] == "CRAWLER" and n["Name"] == "a")
    assert _error(glue.resume_workflow_run, Name="wf", RunId=run_id, NodeIds=["wnode_nope"])[:2] == \
        (400, "InvalidInputException")
    resumed = glue.resume_workflow_run(Name="wf", RunId=run_id, NodeIds=[node_a])
    assert resumed["NodeIds"] == [node_a] and resumed["RunId"] != run_id
    run = _wait(lambda: _run_done(glue, "wf", resumed["RunId"]))
    assert run["PreviousRunId"] == run_id and run["Status"] == "COMPLETED"
    assert run["Statistics"]["SucceededActions"] == 2 and run["Statistics"]["TotalActions"] == 2
    assert glue.get_table(DatabaseName="raw_data", Name="users")["Table"]["Name"] == "users"


def test_on_demand_trigger_of_a_workflow_starts_a_run(glue):
    _job(glue)
    glue.create_workflow(Name="wf")
    glue.create_trigger(Name="go", WorkflowName="wf", Type="ON_DEMAND", Actions=[{"JobName": "etl"}])
    glue.start_trigger(Name="go")
    run_id = glue.get_workflow_runs(Name="wf")["Runs"][0]["WorkflowRunId"]
    run = _wait(lambda: _run_done(glue, "wf", run_id))
    # The job's run really starts; its script s3://lake/etl.py does not exist, so it fails.
    assert run["Status"] == "COMPLETED" and run["Statistics"]["FailedActions"] == 1
    assert run["Statistics"]["SucceededActions"] == 0 and run["Statistics"]["ErroredActions"] == 0
    assert glue.get_job_runs(JobName="etl")["JobRuns"][0]["TriggerName"] == "go"


def test_run_cut_short_by_a_restart_ends_error(tmp_path, slow_crawls):
    from glue_helpers import make_glue

    from lakebox.testing import running_lakebox

    data = tmp_path / "data"
    with running_lakebox(data, set_env=False) as server:
        glue = make_glue(server.endpoint_url)
        s3 = make_s3(server.endpoint_url)
        s3.create_bucket(Bucket=BUCKET)
        for i in range(40):
            put_json_lines(s3, BUCKET, f"big/p{i}/f.json", [{"id": i}])
        _crawler(glue, "slow", "big")
        glue.create_workflow(Name="wf")
        glue.create_trigger(Name="go", WorkflowName="wf", Type="ON_DEMAND", Actions=[{"CrawlerName": "slow"}])
        run_id = glue.start_workflow_run(Name="wf")["RunId"]
        assert glue.get_workflow_run(Name="wf", RunId=run_id)["Run"]["Status"] == "RUNNING"
    with running_lakebox(data, set_env=False) as server:
        run = make_glue(server.endpoint_url).get_workflow_run(Name="wf", RunId=run_id)["Run"]
        assert run["Status"] == "ERROR" and "lakebox stopped" in run["ErrorMessage"]
        assert run["Statistics"]["RunningActions"] == 0 and run["Statistics"]["TotalActions"] == 1
