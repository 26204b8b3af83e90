package lakebox.hadoop;

import java.io.File;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.net.URI;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;

/**
 * s3://, s3a:// and s3n:// paths on lakebox's lake folder: {@code s3a://bucket/a/b} is the file
 * {@code <fs.lakebox.root>/bucket/a/b}, which is exactly where lakebox keeps the object {@code a/b}.
 *
 * <p>Why a local file system and not the S3A client: Spark then reads and writes the lake's files
 * directly, with no HTTP and no hadoop-aws jar (which pyspark does not ship). Raw, so that no
 * {@code .crc} files appear next to the data. Every status this file system hands out carries the
 * lake path ({@code s3a://bucket/key}), never the local one, so Spark's committers, listings and
 * partition discovery see S3 paths.
 *
 * <p>One instance serves one bucket; the bucket must exist (a missing one is NoSuchBucket, and no
 * folder is created for it). Instances are not cached (fs.s3a.impl.disable.cache), so a bucket
 * created while a job runs is seen by the next look-up.
 */
public class LakeFileSystem extends RawLocalFileSystem {
  private URI uri;
  private File bucketDir;

  @Override
  public void initialize(URI name, Configuration conf) throws IOException {
    super.initialize(name, conf);
    String root = conf.get("fs.lakebox.root");
    if (root == null) {
      throw new IOException("fs.lakebox.root is not set: the lake folder of this lakebox server is unknown");
    }
    String bucket = name.getAuthority();
    if (bucket == null || bucket.isEmpty()) {
      throw new IOException("No bucket in " + name + ": expected " + name.getScheme() + "://bucket/key");
    }
    uri = URI.create(name.getScheme() + "://" + bucket);
    bucketDir = new File(root, bucket).getAbsoluteFile();
    if (!bucketDir.isDirectory()) {
      throw new FileNotFoundException("NoSuchBucket: The specified bucket does not exist: " + bucket);
    }
    setWorkingDirectory(new Path(uri.toString() + "/"));
  }

  @Override
  public URI getUri() {
    return uri == null ? super.getUri() : uri;
  }

  @Override
  public String getScheme() {
    return uri == null ? "s3a" : uri.getScheme();
  }

  @Override
  protected Path getInitialWorkingDirectory() {
    // Called by the constructor, before initialize() names the bucket.
    return uri == null ? new Path("/") : new Path(uri.toString() + "/");
  }

  @Override
  public Path getHomeDirectory() {
    return new Path(uri.toString() + "/");
  }

  @Override
  public File pathToFile(Path path) {
    checkPath(path);
    if (!path.isAbsolute()) {
      path = new Path(getWorkingDirectory(), path);
    }
    File file = new File(bucketDir, path.toUri().getPath());
    String local = file.toPath().normalize().toString();
    if (!local.equals(bucketDir.getPath()) && !local.startsWith(bucketDir.getPath() + File.separator)) {
      throw new IllegalArgumentException("Path outside its bucket: " + path);
    }
    return file;
  }

  /**
   * A status for the same file under its lake path. A new plain FileStatus, not the local one with
   * its path swapped: the local status loads owner and permissions lazily from its path (with an
   * `ls` process per file, lacking native IO), which fails on an s3 path. Objects have neither, so
   * the defaults stand.
   */
  private FileStatus toLake(FileStatus status) {
    String local = status.getPath().toUri().getPath();
    String prefix = bucketDir.getPath();
    Path path = status.getPath();
    if (local.equals(prefix) || local.startsWith(prefix + "/")) {
      String key = local.substring(prefix.length());
      path = new Path(uri.getScheme(), uri.getAuthority(), key.isEmpty() ? "/" : key);
    }
    return new FileStatus(status.getLen(), status.isDirectory(), status.getReplication(), status.getBlockSize(),
        status.getModificationTime(), status.getAccessTime(), null, null, null, path);
  }

  @Override
  public FileStatus getFileStatus(Path f) throws IOException {
    return toLake(super.getFileStatus(f));
  }

  @Override
  public FileStatus getFileLinkStatus(Path f) throws IOException {
    return toLake(super.getFileLinkStatus(f));
  }

  @Override
  public FileStatus[] listStatus(Path f) throws IOException {
    FileStatus[] statuses = super.listStatus(f);
    for (int i = 0; i < statuses.length; i++) {
      statuses[i] = toLake(statuses[i]);
    }
    return statuses;
  }
}
