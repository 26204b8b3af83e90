// Glue, Athena and STS with the JavaScript SDK v3: a catalog table over CSV in S3, queried for real.
import { S3Client, CreateBucketCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { GlueClient, CreateDatabaseCommand, CreateTableCommand, GetTableCommand } from "@aws-sdk/client-glue";
import { AthenaClient, StartQueryExecutionCommand, GetQueryExecutionCommand, GetQueryResultsCommand } from "@aws-sdk/client-athena";
import { STSClient, GetCallerIdentityCommand, AssumeRoleCommand } from "@aws-sdk/client-sts";
import { config, runSteps } from "./steps.mjs";

const s3 = new S3Client({ ...config, forcePathStyle: true });
const glue = new GlueClient(config);
const athena = new AthenaClient(config);
const sts = new STSClient(config);

async function query(sql) {
  const id = (await athena.send(new StartQueryExecutionCommand({ QueryString: sql,
    ResultConfiguration: { OutputLocation: "s3://js-analytics/results/" } }))).QueryExecutionId;
  for (let i = 0; i < 600; i++) {
    const status = (await athena.send(new GetQueryExecutionCommand({ QueryExecutionId: id }))).QueryExecution.Status;
    if (status.State === "SUCCEEDED") break;
    if (status.State === "FAILED" || status.State === "CANCELLED") throw new Error(status.StateChangeReason);
    await new Promise((r) => setTimeout(r, 100));
  }
  const rows = (await athena.send(new GetQueryResultsCommand({ QueryExecutionId: id }))).ResultSet.Rows;
  return rows.map((r) => r.Data.map((d) => d.VarCharValue ?? null));
}

await runSteps([
  ["data", async () => { await s3.send(new CreateBucketCommand({ Bucket: "js-analytics" }));
    await s3.send(new PutObjectCommand({ Bucket: "js-analytics", Key: "sales/part-1.csv", Body: "1,books,12.5\n2,games,30\n" }));
    await s3.send(new PutObjectCommand({ Bucket: "js-analytics", Key: "sales/part-2.csv", Body: "3,books,7.5\n" })); return "ok"; }],
  ["glue_database", () => glue.send(new CreateDatabaseCommand({ DatabaseInput: { Name: "jsdb" } })).then(() => "created")],
  ["glue_table", () => glue.send(new CreateTableCommand({ DatabaseName: "jsdb", TableInput: { Name: "sales", TableType: "EXTERNAL_TABLE",
    StorageDescriptor: { Columns: [{ Name: "id", Type: "int" }, { Name: "category", Type: "string" }, { Name: "amount", Type: "double" }],
      Location: "s3://js-analytics/sales/", InputFormat: "org.apache.hadoop.mapred.TextInputFormat",
      OutputFormat: "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
      SerdeInfo: { SerializationLibrary: "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe", Parameters: { "field.delim": "," } } } } }))
    .then(() => "created")],
  ["glue_get_table", () => glue.send(new GetTableCommand({ DatabaseName: "jsdb", Name: "sales" }))
    .then((r) => r.Table.StorageDescriptor.Columns.map((c) => `${c.Name}:${c.Type}`))],
  ["glue_missing", () => glue.send(new GetTableCommand({ DatabaseName: "jsdb", Name: "nope" }))],
  ["athena", () => query("SELECT category, sum(amount) AS total, count(*) AS n FROM jsdb.sales GROUP BY category ORDER BY category")],
  ["sts_identity", () => sts.send(new GetCallerIdentityCommand({})).then((r) => ({ account: r.Account, arn: r.Arn }))],
  ["sts_assume", () => sts.send(new AssumeRoleCommand({ RoleArn: "arn:aws:iam::000000000000:role/etl", RoleSessionName: "js-session" }))
    .then((r) => r.AssumedRoleUser.Arn)],
]);
