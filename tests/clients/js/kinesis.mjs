// Kinesis with the JavaScript SDK v3, which speaks HTTP/2 only for this service (h2c against http://).
import { KinesisClient, CreateStreamCommand, PutRecordCommand, PutRecordsCommand, ListShardsCommand, GetShardIteratorCommand,
  GetRecordsCommand, DescribeStreamSummaryCommand, RegisterStreamConsumerCommand, DescribeStreamConsumerCommand,
  SubscribeToShardCommand, waitUntilStreamExists } from "@aws-sdk/client-kinesis";
import { config, runSteps } from "./steps.mjs";

const kinesis = new KinesisClient(config);
const StreamName = "js-sdk";
const big = Buffer.alloc(900 * 1024, 65);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function readAll() {
  const out = [];
  for (const shard of (await kinesis.send(new ListShardsCommand({ StreamName }))).Shards) {
    let it = (await kinesis.send(new GetShardIteratorCommand({ StreamName, ShardId: shard.ShardId, ShardIteratorType: "TRIM_HORIZON" }))).ShardIterator;
    while (it) {
      const page = await kinesis.send(new GetRecordsCommand({ ShardIterator: it }));
      out.push(...page.Records.map((r) => Buffer.from(r.Data)));
      if (!page.Records.length) break;
      it = page.NextShardIterator;
    }
  }
  return out;
}

await runSteps([
  ["create_stream", () => kinesis.send(new CreateStreamCommand({ StreamName, ShardCount: 2 })).then(() => "created")],
  ["wait_active", () => waitUntilStreamExists({ client: kinesis, maxWaitTime: 30 }, { StreamName }).then((r) => r.state)],
  ["put_record", () => kinesis.send(new PutRecordCommand({ StreamName, PartitionKey: "p", Data: Buffer.from("hello") })).then((r) => r.ShardId.startsWith("shardId-"))],
  ["parallel_puts", () => Promise.all([...Array(100).keys()].map((i) => kinesis.send(new PutRecordCommand({
    StreamName, PartitionKey: `k${i}`, Data: Buffer.from(`r${i}`) })))).then((rs) => new Set(rs.map((r) => r.SequenceNumber)).size)],
  ["put_records_large", () => kinesis.send(new PutRecordsCommand({ StreamName,
    Records: [...Array(4).keys()].map((i) => ({ PartitionKey: `b${i}`, Data: big })) })).then((r) => r.FailedRecordCount)],
  ["summary", () => kinesis.send(new DescribeStreamSummaryCommand({ StreamName })).then((r) => r.StreamDescriptionSummary.OpenShardCount)],
  ["read_all", async () => { const records = await readAll();
    return { count: records.length, small: records.filter((r) => r.length < 100).map((r) => r.toString()).sort(),
             large: records.filter((r) => r.length === big.length && r.every((b) => b === 65)).length }; }],
  ["subscribe", async () => {
    const arn = (await kinesis.send(new DescribeStreamSummaryCommand({ StreamName }))).StreamDescriptionSummary.StreamARN;
    const consumer = (await kinesis.send(new RegisterStreamConsumerCommand({ StreamARN: arn, ConsumerName: "js" }))).Consumer;
    for (let i = 0; i < 100; i++) {
      const d = await kinesis.send(new DescribeStreamConsumerCommand({ ConsumerARN: consumer.ConsumerARN }));
      if (d.ConsumerDescription.ConsumerStatus === "ACTIVE") break;
      await sleep(50);
    }
    const shard = (await kinesis.send(new PutRecordCommand({ StreamName, PartitionKey: "late", Data: Buffer.from("before") }))).ShardId;
    const sub = await kinesis.send(new SubscribeToShardCommand({ ConsumerARN: consumer.ConsumerARN, ShardId: shard,
      StartingPosition: { Type: "LATEST" } }));
    setTimeout(() => kinesis.send(new PutRecordCommand({ StreamName, PartitionKey: "late", Data: Buffer.from("live") })), 300);
    for await (const event of sub.EventStream) {
      const records = event.SubscribeToShardEvent?.Records ?? [];
      const data = records.map((r) => Buffer.from(r.Data).toString());
      if (data.length) return data;
    }
    return null; }],
]);
process.exit(0);
