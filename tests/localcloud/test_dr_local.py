"""DrReplication on the local cloud: two regions that really hold the data.

One deployment for the module: a us-west-2 primary stack (a DataTable with PITR, a versioned
SecureBucket, DrReplication with a failed-job topic) and the us-east-1 DR stack it creates.
Objects replicate, deletes follow the delete-marker rule, a replica table answers in the DR
region, a backup drill restores items from the DR copy of a recovery point, the plan's schedule
runs on the test's clock, a failed copy job reaches the topic's subscriber through the rule, a
bucket's recovery point restores to a new bucket, and PITR restores a table as it was.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

import pytest

pytest.importorskip("moto", reason="needs the `local` extra (moto[server], boto3)")

from aws_cdk import Environment, Stack
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_sns as sns
from botocore.exceptions import ClientError

from petplatform_constructs import DataTable, DrReplication, SecureBucket, configure_platform
from petplatform_constructs.testing import SynthCache, SynthResult, make_app, synth
from petplatform_localcloud import DeployReport, LocalCloud, deployed
from petplatform_localcloud.moto_extensions import backup_jobs as backup

pytestmark = pytest.mark.localcloud

PRIMARY, DR = "us-west-2", "us-east-1"


def _build() -> SynthResult:
    app = make_app()
    configure_platform(app, project="DrLocal", stage="dev")
    stack = Stack(app, "DrLocal", env=Environment(account="123456789012", region=PRIMARY))
    table = DataTable(
        stack,
        "Accounts",
        name="accounts",
        partition_key=dynamodb.Attribute(name="id", type=dynamodb.AttributeType.STRING),
        point_in_time_recovery=True,
    )
    logs = SecureBucket(stack, "Logs", access_log_destination=True)
    data = SecureBucket(stack, "Data", name="data", versioned=True, server_access_logs_bucket=logs)
    topic = sns.Topic(stack, "JobFailures", enforce_ssl=True)
    DrReplication(
        stack, "Dr", dr_region=DR, tables=[table], buckets=[data], job_failure_topic=topic,
        selection_tags={"backup": "daily"},
    )  # fmt: skip
    return synth(app)


@pytest.fixture(scope="module")
def assembly(synth_cache: SynthCache) -> SynthResult:
    return synth_cache.get(("dr-local",), _build)


@pytest.fixture(scope="module")
def cloud() -> Iterator[LocalCloud]:
    with LocalCloud(region=PRIMARY) as started:
        yield started


@pytest.fixture(scope="module")
def report(cloud: LocalCloud, assembly: SynthResult) -> Iterator[DeployReport]:
    with deployed(cloud, assembly) as result:
        yield result


def _physical(cloud: LocalCloud, stack: str, region: str, rtype: str, hint: str) -> str:
    resources = cloud.client("cloudformation", region=region).describe_stack_resources(
        StackName=stack
    )["StackResources"]
    (found,) = [
        r["PhysicalResourceId"]
        for r in resources
        if r["ResourceType"] == rtype and hint in r["LogicalResourceId"]
    ]
    return str(found)


def test_the_dr_stack_deploys_first_in_its_region(report: DeployReport) -> None:
    assert [r.stack_name for r in report.stacks] == ["DrLocalDr", "DrLocal"]
    assert {r.status for r in report.stacks} == {"CREATE_COMPLETE"}


@pytest.mark.checklist("002#61", "002#62")
def test_an_object_replicates_and_a_delete_follows_the_marker_rule(
    cloud: LocalCloud, report: DeployReport
) -> None:
    source = _physical(cloud, "DrLocal", PRIMARY, "AWS::S3::Bucket", "DataBucket")
    replica = report.outputs("DrLocal")[
        next(k for k in report.outputs("DrLocal") if "Replica0BucketName" in k)
    ]
    west, east = cloud.client("s3", region=PRIMARY), cloud.client("s3", region=DR)
    assert east.get_bucket_location(Bucket=replica)["LocationConstraint"] is None  # us-east-1
    west.put_object(Bucket=source, Key="docs/a.txt", Body=b"v1")
    assert east.get_object(Bucket=replica, Key="docs/a.txt")["Body"].read() == b"v1"

    west.delete_object(Bucket=source, Key="docs/a.txt")  # a delete marker: replicated
    with pytest.raises(ClientError):
        east.get_object(Bucket=replica, Key="docs/a.txt")
    markers = east.list_object_versions(Bucket=replica, Prefix="docs/a.txt")["DeleteMarkers"]
    assert len(markers) == 1

    put = west.put_object(Bucket=source, Key="docs/b.txt", Body=b"kept")
    west.delete_object(Bucket=source, Key="docs/b.txt", VersionId=put["VersionId"])
    assert east.get_object(Bucket=replica, Key="docs/b.txt")["Body"].read() == b"kept"


@pytest.mark.checklist("003#25")
def test_a_write_is_readable_in_the_replica_region(cloud: LocalCloud, report: DeployReport) -> None:
    name = _physical(cloud, "DrLocal", PRIMARY, "AWS::DynamoDB::GlobalTable", "Accounts")
    cloud.resource("dynamodb", region=PRIMARY).Table(name).put_item(
        Item={"id": "acct-1", "plan": "pro"}
    )
    item = cloud.resource("dynamodb", region=DR).Table(name).get_item(Key={"id": "acct-1"})
    assert item["Item"] == {"id": "acct-1", "plan": "pro"}


@pytest.mark.checklist("002#65", "002#66", "002#67")
def test_backup_drill_restores_from_the_dr_copy_within_the_rpo(
    cloud: LocalCloud, report: DeployReport
) -> None:
    account = cloud.account_id
    name = _physical(cloud, "DrLocal", PRIMARY, "AWS::DynamoDB::GlobalTable", "Accounts")
    plan_id = _physical(cloud, "DrLocal", PRIMARY, "AWS::Backup::BackupPlan", "BackupPlan")
    dr_vault = _physical(cloud, "DrLocalDr", DR, "AWS::Backup::BackupVault", "DrBackupVault")
    table = cloud.resource("dynamodb", region=PRIMARY).Table(name)
    written = [{"id": f"drill-{n}", "n": n} for n in range(5)]
    for item in written:
        table.put_item(Item=item)

    backup_at = datetime(2026, 1, 1, 5, 0, tzinfo=timezone.utc)  # the plan's 05:00 UTC run
    jobs = backup.run_backup_plan(account, PRIMARY, plan_id, at=backup_at)
    (job,) = [j for j in jobs if j.resource_arn.endswith(f"/{name}")]
    assert job.state == "COMPLETED" and job.recovery_point.delete_after_days == 30
    (copy,) = job.copies
    assert (copy.region, copy.vault_name) == (DR, dr_vault)
    points = backup.recovery_points(account, DR, dr_vault)
    assert [p.arn for p in points if p.resource_arn == job.resource_arn] == [copy.arn]

    for item in written:  # the disaster
        table.delete_item(Key={"id": item["id"]})
    restored_name = f"{name}-restored"
    backup.restore_table(account, copy.arn, restored_name)
    restored = cloud.resource("dynamodb", region=DR).Table(restored_name)
    got = [restored.get_item(Key={"id": i["id"]}).get("Item") for i in written]
    assert got == written

    failure_at = backup_at + timedelta(hours=23)  # worst case: just before the next run
    data_loss = failure_at - copy.created
    assert data_loss <= timedelta(hours=24)
    cloud.say(
        f"  backup drill: {len(written)} items backed up at {backup_at:%H:%M} UTC, copied to "
        f"{dr_vault} ({DR}), restored to {restored_name}: {len(got)}/{len(written)} match; "
        f"worst-case data loss {data_loss} (RPO 24 h)"
    )


def test_both_vaults_exist_in_their_regions(cloud: LocalCloud, report: DeployReport) -> None:
    for region in (PRIMARY, DR):
        vaults = cloud.client("backup", region=region).list_backup_vaults()["BackupVaultList"]
        assert len(vaults) == 1 and vaults[0]["BackupVaultArn"].split(":")[3] == region


def _plan_id(cloud: LocalCloud) -> str:
    return _physical(cloud, "DrLocal", PRIMARY, "AWS::Backup::BackupPlan", "BackupPlan")


def test_the_schedule_runs_the_plan_on_the_test_clock(
    cloud: LocalCloud, report: DeployReport
) -> None:
    clock = cloud.backup
    assert clock.run_due_jobs(clock.now) == []  # nothing is due until the clock moves
    (run,) = clock.advance(hours=24)  # cron(0 5 * * ? *): one run in any 24 hours
    assert (run.at.hour, run.at.minute, run.region) == (5, 0, PRIMARY)
    assert run.plan_id == _plan_id(cloud) and run.rule_name == "DailyWithDrCopy"
    kinds = sorted(j.recovery_point.resource_type for j in run.jobs if j.recovery_point)
    assert kinds == ["DynamoDB", "S3"] and all(j.state == "COMPLETED" for j in run.jobs)
    assert all(len(j.copies) == 1 for j in run.jobs)
    assert [r.at - run.at for r in clock.advance(days=2)] == [timedelta(days=1), timedelta(days=2)]


def test_a_failed_copy_job_reaches_the_topic_through_the_rule(
    cloud: LocalCloud, report: DeployReport
) -> None:
    topic = _physical(cloud, "DrLocal", PRIMARY, "AWS::SNS::Topic", "JobFailures")
    sqs = cloud.client("sqs", region=PRIMARY)
    queue = sqs.create_queue(QueueName="on-call")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    cloud.client("sns", region=PRIMARY).subscribe(
        TopicArn=topic, Protocol="sqs", Endpoint=queue_arn
    )
    cloud.backup.fail_next_job(PRIMARY, "copy", "Access denied to the DR vault's key")
    jobs = cloud.backup.run_plan(PRIMARY, _plan_id(cloud))
    states = sorted(c.state for j in jobs for c in j.copy_jobs)
    assert states == ["COMPLETED", "FAILED"]  # one of the two copies failed

    messages = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10)["Messages"]
    (event,) = [json.loads(json.loads(m["Body"])["Message"]) for m in messages]
    assert (event["source"], event["detail-type"]) == ("aws.backup", "Copy Job State Change")
    assert event["detail"]["state"] == "FAILED"  # completed jobs do not match the rule
    assert event["detail"]["statusMessage"] == "Access denied to the DR vault's key"


@pytest.mark.checklist("002#66")
def test_a_bucket_recovery_point_restores_to_a_new_bucket(
    cloud: LocalCloud, report: DeployReport
) -> None:
    source = _physical(cloud, "DrLocal", PRIMARY, "AWS::S3::Bucket", "DataBucket")
    west = cloud.client("s3", region=PRIMARY)
    objects = {"photos/rex.jpg": b"rex", "photos/fido.jpg": b"fido"}
    for key, body in objects.items():
        west.put_object(Bucket=source, Key=key, Body=body)
    jobs = cloud.backup.run_plan(PRIMARY, _plan_id(cloud))
    (job,) = [j for j in jobs if j.resource_arn == f"arn:aws:s3:::{source}"]
    (copy,) = job.copies
    for key in objects:  # the disaster
        west.delete_object(Bucket=source, Key=key)

    restored = cloud.backup.restore_bucket(copy.arn, f"{source}-restored")
    east = cloud.client("s3", region=DR)
    assert east.get_bucket_location(Bucket=restored)["LocationConstraint"] is None  # us-east-1
    got = {k: east.get_object(Bucket=restored, Key=k)["Body"].read() for k in objects}
    assert got == objects


@pytest.mark.checklist("002#63")
def test_point_in_time_restore_returns_the_table_as_it_was(
    cloud: LocalCloud, report: DeployReport
) -> None:
    name = _physical(cloud, "DrLocal", PRIMARY, "AWS::DynamoDB::GlobalTable", "Accounts")
    client = cloud.client("dynamodb", region=PRIMARY)
    assert (
        client.describe_continuous_backups(TableName=name)["ContinuousBackupsDescription"][
            "PointInTimeRecoveryDescription"
        ]["PointInTimeRecoveryStatus"]
        == "ENABLED"
    )
    table = cloud.resource("dynamodb", region=PRIMARY).Table(name)
    table.put_item(Item={"id": "pitr-1", "plan": "free"})
    table.put_item(Item={"id": "pitr-2", "plan": "pro"})
    good = datetime.now(timezone.utc)
    time.sleep(0.05)
    table.put_item(Item={"id": "pitr-1", "plan": "corrupted"})  # the bad deploy
    table.delete_item(Key={"id": "pitr-2"})

    client.restore_table_to_point_in_time(
        SourceTableName=name, TargetTableName=f"{name}-pitr", RestoreDateTime=good
    )
    restored = cloud.resource("dynamodb", region=PRIMARY).Table(f"{name}-pitr")
    got = {i: restored.get_item(Key={"id": i}).get("Item") for i in ("pitr-1", "pitr-2")}
    assert got == {
        "pitr-1": {"id": "pitr-1", "plan": "free"},
        "pitr-2": {"id": "pitr-2", "plan": "pro"},
    }
    with pytest.raises(ClientError, match="InvalidRestoreTime"):  # before PITR was on
        client.restore_table_to_point_in_time(
            SourceTableName=name, TargetTableName="never", RestoreDateTime=good - timedelta(days=1)
        )
    client.create_table(
        TableName="no-pitr", BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
    )  # fmt: skip
    with pytest.raises(ClientError, match="PointInTimeRecoveryUnavailable"):
        client.restore_table_to_point_in_time(
            SourceTableName="no-pitr", TargetTableName="never", UseLatestRestorableTime=True
        )


def test_turning_pitr_off_and_on_starts_the_history_over(
    cloud: LocalCloud, report: DeployReport
) -> None:
    client = cloud.client("dynamodb", region=PRIMARY)
    client.create_table(
        TableName="pitr-again", BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
    )  # fmt: skip

    def pitr(enabled: bool) -> None:
        client.update_continuous_backups(
            TableName="pitr-again",
            PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": enabled},
        )

    pitr(True)
    client.put_item(TableName="pitr-again", Item={"id": {"S": "recorded"}})
    pitr(False)
    client.put_item(TableName="pitr-again", Item={"id": {"S": "unrecorded"}})
    pitr(True)  # no write since: the latest restorable state is the table as it is
    client.restore_table_to_point_in_time(
        SourceTableName="pitr-again", TargetTableName="pitr-again-now", UseLatestRestorableTime=True
    )
    items = client.scan(TableName="pitr-again-now")["Items"]
    assert sorted(i["id"]["S"] for i in items) == ["recorded", "unrecorded"]


def test_a_bucket_tagged_for_the_plan_is_backed_up(cloud: LocalCloud, report: DeployReport) -> None:
    cloud.create_bucket("tagged-reports", region=PRIMARY)
    west = cloud.client("s3", region=PRIMARY)
    west.put_bucket_tagging(
        Bucket="tagged-reports", Tagging={"TagSet": [{"Key": "backup", "Value": "daily"}]}
    )
    west.put_object(Bucket="tagged-reports", Key="q1.csv", Body=b"a,b")
    cloud.create_bucket("untagged-reports", region=PRIMARY)
    jobs = cloud.backup.run_plan(PRIMARY, _plan_id(cloud))
    resources = {j.resource_arn for j in jobs}
    assert "arn:aws:s3:::tagged-reports" in resources
    assert "arn:aws:s3:::untagged-reports" not in resources
    (job,) = [j for j in jobs if j.resource_arn == "arn:aws:s3:::tagged-reports"]
    assert job.recovery_point is not None and job.recovery_point.objects == {"q1.csv": b"a,b"}
