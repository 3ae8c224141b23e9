package ai.chorus.tests;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A real headless Chromium (Debian's {@code chromium}) driven over the Chrome DevTools Protocol: a small client on
 * {@link java.net.http.WebSocket} and Jackson, talking to one page. It records every event, so a test can ask
 * afterwards for console errors, uncaught exceptions and error log entries ({@link #problems()}).
 *
 * <p>Chromium runs with its own temporary profile and is ended (with its child processes) on {@link #close()}.
 */
public final class HeadlessChromium implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern LISTENING = Pattern.compile("DevTools listening on (ws://\\S+)");
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(30);

    private final Process process;
    private final Path workDir;
    private final WebSocket socket;
    private final AtomicInteger ids = new AtomicInteger();
    private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    private final List<JsonNode> events = new ArrayList<>(); // guarded by itself

    private HeadlessChromium(Process process, Path workDir, WebSocket socket) {
        this.process = process;
        this.workDir = workDir;
        this.socket = socket;
    }

    /**
     * The browser: {@code chorus.chromium} (system property) or {@code CHROMIUM} (environment) if set, else
     * {@code chromium} as Debian installs it.
     */
    static Path binary() {
        String configured = System.getProperty("chorus.chromium", System.getenv("CHROMIUM"));
        Path p = Path.of(configured != null ? configured : "/usr/bin/chromium");
        if (!Files.isExecutable(p)) {
            throw new IllegalStateException("Chromium not found at " + p + ": install Debian's chromium "
                    + "(apt-get install chromium; .ci/run does) or set -Dchorus.chromium=/path/to/chromium");
        }
        return p;
    }

    /** Starts Chromium headless on a free port and connects to its page. */
    public static HeadlessChromium start() throws IOException, InterruptedException {
        Path chromium = binary();
        Path workDir = Files.createTempDirectory("chorus-chromium");
        Path log = workDir.resolve("chromium.log");
        // As root (CI, containers) Chromium needs --no-sandbox; port 0 lets it pick a free one and print it.
        Process p = new ProcessBuilder(chromium.toString(), "--headless=new", "--no-sandbox", "--disable-gpu",
                "--remote-debugging-port=0", "--user-data-dir=" + workDir.resolve("profile"), "--no-first-run",
                "--no-default-browser-check", "--disable-extensions", "--mute-audio", "about:blank")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            URI browser = awaitDevToolsUrl(p, log, Duration.ofSeconds(60));
            URI page = pageTarget(browser.getPort());
            Listener listener = new Listener();
            WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder().buildAsync(page, listener)
                    .get(COMMAND_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            HeadlessChromium c = new HeadlessChromium(p, workDir, ws);
            listener.owner = c;
            return c;
        } catch (IOException | RuntimeException | ExecutionException | TimeoutException e) {
            String output = Files.exists(log) ? Files.readString(log) : "";
            stop(p);
            deleteTree(workDir);
            throw new IOException("Chromium (" + chromium + ") did not start: " + e + "\n" + tail(output), e);
        }
    }

    /** Enables the Runtime, Log and Page domains, whose events {@link #problems()} and {@link #navigate} need. */
    public HeadlessChromium enableDomains() {
        send("Runtime.enable", null);
        send("Log.enable", null);
        send("Page.enable", null);
        return this;
    }

    /** Opens {@code url} and waits for its load event (images decoded, media elements started loading). */
    public void navigate(URI url, Duration timeout) {
        int before = eventCount();
        ObjectNode params = JSON.createObjectNode().put("url", url.toString());
        JsonNode result = send("Page.navigate", params);
        if (result.hasNonNull("errorText")) {
            throw new IllegalStateException("navigating to " + url + ": " + result.get("errorText").asText());
        }
        awaitEvent("Page.loadEventFired", before, timeout);
    }

    /** Evaluates a JavaScript expression in the page (awaiting a promise) and returns its value as JSON. */
    public JsonNode evaluate(String expression) {
        ObjectNode params = JSON.createObjectNode().put("expression", expression).put("returnByValue", true)
                .put("awaitPromise", true);
        JsonNode result = send("Runtime.evaluate", params);
        if (result.has("exceptionDetails")) {
            throw new IllegalStateException("evaluating " + expression + ": " + result.get("exceptionDetails"));
        }
        return result.path("result").path("value");
    }

    /** A PNG of the whole page as a person would see it (beyond the viewport), e.g. to look at a report. */
    public void screenshot(Path png) throws IOException {
        JsonNode size = send("Page.getLayoutMetrics", null).path("cssContentSize");
        ObjectNode params = JSON.createObjectNode().put("format", "png").put("captureBeyondViewport", true);
        params.putObject("clip").put("x", 0).put("y", 0).put("width", size.path("width").asDouble())
                .put("height", size.path("height").asDouble()).put("scale", 1);
        Files.write(png, Base64.getDecoder().decode(send("Page.captureScreenshot", params).path("data").asText()));
    }

    /**
     * Everything that went wrong in the page so far: uncaught exceptions, console.error calls and error entries of
     * the browser log (failed loads, blocked resources, ...), one line each.
     */
    public List<String> problems() {
        List<String> out = new ArrayList<>();
        for (JsonNode e : events()) {
            String method = e.path("method").asText();
            JsonNode p = e.path("params");
            if (method.equals("Runtime.exceptionThrown")) {
                out.add("exception: " + p.path("exceptionDetails"));
            } else if (method.equals("Runtime.consoleAPICalled") && p.path("type").asText().equals("error")) {
                out.add("console.error: " + p.path("args"));
            } else if (method.equals("Log.entryAdded") && p.path("entry").path("level").asText().equals("error")) {
                out.add("log error: " + p.path("entry").path("text").asText() + " " + p.path("entry").path("url").asText());
            }
        }
        return out;
    }

    public List<JsonNode> events() {
        synchronized (events) {
            return List.copyOf(events);
        }
    }

    /** Sends one CDP command and waits for its result; a protocol error is an exception. */
    public JsonNode send(String method, ObjectNode params) {
        int id = ids.incrementAndGet();
        ObjectNode message = JSON.createObjectNode().put("id", id).put("method", method);
        if (params != null) {
            message.set("params", params);
        }
        CompletableFuture<JsonNode> reply = new CompletableFuture<>();
        pending.put(id, reply);
        try {
            synchronized (socket) { // one frame at a time
                socket.sendText(JSON.writeValueAsString(message), true).get(COMMAND_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            }
            JsonNode response = reply.get(COMMAND_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            if (response.has("error")) {
                throw new IllegalStateException(method + " failed: " + response.get("error"));
            }
            return response.path("result");
        } catch (IOException | ExecutionException | TimeoutException e) {
            throw new IllegalStateException(method + ": no answer from Chromium (" + e + ")", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(method + " interrupted", e);
        } finally {
            pending.remove(id);
        }
    }

    private int eventCount() {
        synchronized (events) {
            return events.size();
        }
    }

    /** Waits for an event named {@code method} received after the first {@code after} events. */
    private JsonNode awaitEvent(String method, int after, Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        synchronized (events) {
            while (true) {
                for (int i = after; i < events.size(); i++) {
                    if (events.get(i).path("method").asText().equals(method)) {
                        return events.get(i);
                    }
                }
                long left = Duration.between(Instant.now(), deadline).toMillis();
                if (left <= 0) {
                    throw new IllegalStateException("no " + method + " within " + timeout);
                }
                try {
                    events.wait(left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted waiting for " + method, e);
                }
            }
        }
    }

    private void received(String text) {
        try {
            JsonNode message = JSON.readTree(text);
            if (message.has("id")) {
                CompletableFuture<JsonNode> reply = pending.get(message.get("id").asInt());
                if (reply != null) {
                    reply.complete(message);
                }
            } else {
                synchronized (events) {
                    events.add(message);
                    events.notifyAll();
                }
            }
        } catch (IOException e) {
            pending.values().forEach(f -> f.completeExceptionally(e));
        }
    }

    /** Joins the frames of a message (CDP messages with inlined images span many) and hands it on whole. */
    private static final class Listener implements WebSocket.Listener {
        private final StringBuilder partial = new StringBuilder();
        volatile HeadlessChromium owner;

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                String message = partial.toString();
                partial.setLength(0);
                if (owner != null) {
                    owner.received(message);
                }
            }
            ws.request(1);
            return null;
        }
    }

    private static URI awaitDevToolsUrl(Process p, Path log, Duration timeout) throws IOException, InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            Matcher m = LISTENING.matcher(Files.exists(log) ? Files.readString(log) : "");
            if (m.find()) {
                return URI.create(m.group(1));
            }
            if (!p.isAlive()) {
                throw new IOException("Chromium exited with code " + p.exitValue());
            }
            Thread.sleep(100);
        }
        throw new IOException("no \"DevTools listening on\" line within " + timeout);
    }

    /** The WebSocket of the first page target (Chromium opens about:blank), or of a new one. */
    private static URI pageTarget(int port) throws IOException, InterruptedException {
        HttpClient http = HttpClient.newHttpClient();
        String base = "http://127.0.0.1:" + port;
        JsonNode targets = JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(base + "/json/list")).build(),
                HttpResponse.BodyHandlers.ofString()).body());
        for (JsonNode t : targets) {
            if (t.path("type").asText().equals("page") && t.hasNonNull("webSocketDebuggerUrl")) {
                return URI.create(t.get("webSocketDebuggerUrl").asText());
            }
        }
        JsonNode created = JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(base + "/json/new?about:blank"))
                .PUT(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString()).body());
        return URI.create(created.get("webSocketDebuggerUrl").asText());
    }

    private static String tail(String s) {
        return s.length() <= 4000 ? s : "..." + s.substring(s.length() - 4000);
    }

    /** Ends Chromium and the renderer/GPU/zygote processes it started. */
    private static void stop(Process p) {
        List<ProcessHandle> children = p.descendants().toList();
        p.destroy();
        children.forEach(ProcessHandle::destroy);
        try {
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        children.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> walk = Files.walk(root)) {
            walk.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException ignored) {
            // a temporary folder: best effort
        }
    }

    @Override
    public void close() {
        socket.abort();
        stop(process);
        deleteTree(workDir);
    }
}
