// S3 with the JavaScript SDK v3: the default client (flexible checksums on), lib-storage uploads, presigned URLs.
import { S3Client, CreateBucketCommand, PutObjectCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command,
  CopyObjectCommand, DeleteObjectsCommand, PutObjectTaggingCommand, GetObjectTaggingCommand, GetObjectAttributesCommand,
  PutBucketVersioningCommand, ListObjectVersionsCommand, DeleteObjectCommand, SelectObjectContentCommand } from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { Readable } from "node:stream";
import { createHash } from "node:crypto";
import { config, runSteps } from "./steps.mjs";

const s3 = new S3Client({ ...config, forcePathStyle: true });
const Bucket = "js-sdk";
const md5 = (b) => createHash("md5").update(b).digest("hex");
const big = Buffer.alloc(12 * 1024 * 1024);
for (let i = 0; i < big.length; i += 4) big.writeUInt32LE(i, i);

await runSteps([
  ["create_bucket", () => s3.send(new CreateBucketCommand({ Bucket })).then((r) => r.Location)],
  ["put_string", () => s3.send(new PutObjectCommand({ Bucket, Key: "a.txt", Body: "hello js" }))
    .then((r) => ({ etag: r.ETag, crc32: r.ChecksumCRC32, sse: r.ServerSideEncryption }))],
  ["put_sha256", () => s3.send(new PutObjectCommand({ Bucket, Key: "b.bin", Body: Buffer.alloc(10000, 7), ChecksumAlgorithm: "SHA256" }))
    .then((r) => r.ChecksumSHA256)],
  ["put_stream", () => s3.send(new PutObjectCommand({ Bucket, Key: "c.txt", ContentLength: 13,
    Body: Readable.from([Buffer.from("chunk1-"), Buffer.from("chunk2")]) })).then((r) => r.ETag)],
  ["get", async () => (await s3.send(new GetObjectCommand({ Bucket, Key: "c.txt" }))).Body.transformToString()],
  ["get_checksum", async () => { const r = await s3.send(new GetObjectCommand({ Bucket, Key: "b.bin", ChecksumMode: "ENABLED" }));
    return { length: (await r.Body.transformToByteArray()).length, sha256: r.ChecksumSHA256 }; }],
  ["get_range", async () => { const r = await s3.send(new GetObjectCommand({ Bucket, Key: "a.txt", Range: "bytes=0-4" }));
    return { body: await r.Body.transformToString(), range: r.ContentRange }; }],
  ["head_missing", () => s3.send(new HeadObjectCommand({ Bucket, Key: "missing" }))],
  ["get_missing", () => s3.send(new GetObjectCommand({ Bucket, Key: "missing" }))],
  ["list", () => s3.send(new ListObjectsV2Command({ Bucket })).then((r) => r.Contents.map((c) => [c.Key, c.Size]))],
  ["copy", () => s3.send(new CopyObjectCommand({ Bucket, Key: "a-copy.txt", CopySource: `${Bucket}/a.txt` })).then((r) => r.CopyObjectResult.ETag)],
  ["tagging", async () => { await s3.send(new PutObjectTaggingCommand({ Bucket, Key: "a.txt", Tagging: { TagSet: [{ Key: "k", Value: "v" }] } }));
    return (await s3.send(new GetObjectTaggingCommand({ Bucket, Key: "a.txt" }))).TagSet; }],
  ["attributes", () => s3.send(new GetObjectAttributesCommand({ Bucket, Key: "b.bin", ObjectAttributes: ["ObjectSize", "Checksum"] }))
    .then((r) => ({ size: r.ObjectSize, sha256: r.Checksum.ChecksumSHA256 }))],
  ["multipart", async () => { const r = await new Upload({ client: s3, params: { Bucket, Key: "big.bin", Body: big }, partSize: 5 * 1024 * 1024 }).done();
    return r.ETag; }],
  ["multipart_read", async () => { const r = await s3.send(new GetObjectCommand({ Bucket, Key: "big.bin" }));
    return { md5: md5(Buffer.from(await r.Body.transformToByteArray())), length: r.ContentLength }; }],
  ["presigned_get", async () => { const url = await getSignedUrl(s3, new GetObjectCommand({ Bucket, Key: "a.txt" }), { expiresIn: 60 });
    const r = await fetch(url); return { status: r.status, body: await r.text() }; }],
  ["presigned_put", async () => { const url = await getSignedUrl(s3, new PutObjectCommand({ Bucket, Key: "p.txt" }), { expiresIn: 60 });
    const r = await fetch(url, { method: "PUT", body: "presigned" }); await r.text();
    return { status: r.status, body: await (await s3.send(new GetObjectCommand({ Bucket, Key: "p.txt" }))).Body.transformToString() }; }],
  ["delete_objects", () => s3.send(new DeleteObjectsCommand({ Bucket, Delete: { Objects: [{ Key: "a-copy.txt" }, { Key: "p.txt" }] } }))
    .then((r) => r.Deleted.map((d) => d.Key).sort())],
  ["versions", async () => { await s3.send(new PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: "Enabled" } }));
    await s3.send(new PutObjectCommand({ Bucket, Key: "v", Body: "1" })); await s3.send(new PutObjectCommand({ Bucket, Key: "v", Body: "2" }));
    await s3.send(new DeleteObjectCommand({ Bucket, Key: "v" }));
    const r = await s3.send(new ListObjectVersionsCommand({ Bucket, Prefix: "v" }));
    return { versions: r.Versions.length, markers: r.DeleteMarkers.length }; }],
  ["select", async () => { await s3.send(new PutObjectCommand({ Bucket, Key: "d.csv", Body: "a,b\n1,2\n3,4\n" }));
    const r = await s3.send(new SelectObjectContentCommand({ Bucket, Key: "d.csv", Expression: "select s.a from s3object s",
      ExpressionType: "SQL", InputSerialization: { CSV: { FileHeaderInfo: "USE" } }, OutputSerialization: { CSV: {} } }));
    let out = ""; for await (const ev of r.Payload) if (ev.Records) out += Buffer.from(ev.Records.Payload).toString(); return out; }],
]);
