package ai.chorus.tests;

import org.apache.hadoop.conf.Configuration;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * A real S3-compatible server (S3Proxy over a local folder) in its own JVM, on a free loopback port.
 * Its credentials are a test identity; the point of using them is to check they never leak.
 */
public final class S3ProxyServer implements AutoCloseable {
    public static final String ACCESS_KEY = "chorus-test-identity";
    public static final String SECRET_KEY = "chorus-test-secret-0123456789";

    private final Process process;
    private final int port;
    private final Path log;

    private S3ProxyServer(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    public static S3ProxyServer start(Path workDir) throws IOException, InterruptedException {
        String jar = System.getProperty("chorus.s3proxy.jar");
        if (jar == null || !Files.isRegularFile(Path.of(jar))) {
            throw new IllegalStateException("S3Proxy jar not found (chorus.s3proxy.jar=" + jar
                    + "): run the tests through Maven, which copies it in generate-test-resources");
        }
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Path data = Files.createDirectories(workDir.resolve("s3-data"));
        Path props = workDir.resolve("s3proxy.properties");
        Files.writeString(props, String.join("\n",
                "s3proxy.endpoint=http://127.0.0.1:" + port,
                "s3proxy.authorization=aws-v2-or-v4",
                "s3proxy.identity=" + ACCESS_KEY,
                "s3proxy.credential=" + SECRET_KEY,
                "jclouds.provider=filesystem",
                "jclouds.filesystem.basedir=" + data) + "\n");
        Path log = workDir.resolve("s3proxy.log");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-Xmx256m", "-jar", jar, "--properties", props.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        S3ProxyServer server = new S3ProxyServer(p, port, log);
        server.awaitPort(Duration.ofSeconds(60));
        return server;
    }

    private void awaitPort(Duration timeout) throws IOException, InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IOException("S3Proxy exited: " + Files.readString(log));
            }
            try (Socket ignored = new Socket("127.0.0.1", port)) {
                return;
            } catch (IOException notYet) {
                Thread.sleep(200);
            }
        }
        close();
        throw new IOException("S3Proxy did not open port " + port + " within " + timeout);
    }

    public String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    /** A Hadoop configuration of s3a for this server, for a test's own reads and writes. */
    public Configuration hadoopConf() {
        Configuration c = new Configuration();
        c.set("fs.s3a.endpoint", endpoint());
        c.set("fs.s3a.path.style.access", "true");
        c.set("fs.s3a.connection.ssl.enabled", "false");
        c.set("fs.s3a.access.key", ACCESS_KEY);
        c.set("fs.s3a.secret.key", SECRET_KEY);
        c.set("fs.s3a.impl.disable.cache", "true");
        c.set("fs.s3a.directory.marker.retention", "keep");
        c.set("fs.s3a.attempts.maximum", "2");
        c.set("fs.s3a.retry.limit", "2");
        return c;
    }

    /** The command-line overrides that point a Chorus command with {@code -c conf/storage/s3a.conf} at this server. */
    public List<String> chorusOverrides() {
        return List.of("chorus.spark.conf.\"spark.hadoop.fs.s3a.endpoint\"=\"" + endpoint() + "\"",
                "chorus.spark.conf.\"spark.hadoop.fs.s3a.connection.ssl.enabled\"=false",
                // A broken server must fail the test in seconds, not after the default quarter hour of retries.
                "chorus.spark.conf.\"spark.hadoop.fs.s3a.attempts.maximum\"=2",
                "chorus.spark.conf.\"spark.hadoop.fs.s3a.retry.limit\"=2",
                "chorus.spark.conf.\"spark.hadoop.fs.s3a.access.key\"=" + ACCESS_KEY,
                "chorus.spark.conf.\"spark.hadoop.fs.s3a.secret.key\"=" + SECRET_KEY);
    }

    @Override
    public void close() {
        process.destroy();
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
