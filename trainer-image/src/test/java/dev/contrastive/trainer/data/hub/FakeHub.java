package dev.contrastive.trainer.data.hub;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A local stand-in for the Hugging Face Hub, serving what the trainer asks of the real one: {@code
 * /api/datasets/<repo>/revision/<rev>}, {@code /api/datasets/<repo>/tree/<commit>?recursive=true}
 * (two entries a page, linked by Link headers) and {@code /datasets/<repo>/resolve/<commit>/<path>},
 * which redirects LFS files to a "CDN" on another host name (localhost instead of 127.0.0.1), as
 * the Hub does. Errors carry the Hub's X-Error-Code. Tests can gate a repository, make a download
 * break off half-way, serve wrong bytes or fail with 503; every request is recorded.
 */
public final class FakeHub implements AutoCloseable {

  /** A request as the server saw it. */
  record Request(String path, String range, String authorization) {}

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern API = Pattern.compile("/api/datasets/([^/]+/[^/]+)/(revision|tree)/(.+)");
  private static final Pattern RESOLVE = Pattern.compile("/datasets/([^/]+/[^/]+)/resolve/([0-9a-f]{40})/(.+)");

  private final HttpServer server;
  private final Map<String, Repo> repos = new ConcurrentHashMap<>();
  private final Map<String, byte[]> blobs = new ConcurrentHashMap<>();
  private final List<Request> requests = Collections.synchronizedList(new ArrayList<>());
  private final Map<String, AtomicInteger> truncate = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> corrupt = new ConcurrentHashMap<>();
  private final AtomicInteger unavailable = new AtomicInteger();
  private volatile long pauseMillisPerKb;

  /** A repository: revisions to commits, each commit's files. */
  public static final class Repo {
    final Map<String, String> revisions = new ConcurrentHashMap<>();
    final Map<String, Map<String, byte[]>> commits = new ConcurrentHashMap<>();
    volatile String requiredToken;

    /** Adds (or replaces) a commit with these files and points {@code revision} at it. */
    public Repo commit(String revision, String commit, Map<String, byte[]> files) {
      commits.put(commit, new TreeMap<>(files));
      revisions.put(revision, commit);
      return this;
    }

    /** Files only an account with this token may download, as for a gated data set. */
    public Repo gated(String token) {
      requiredToken = token;
      return this;
    }
  }

  public FakeHub() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", this::handle);
    server.setExecutor(java.util.concurrent.Executors.newFixedThreadPool(4));
    server.start();
  }

  public String endpoint() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  public Repo repo(String id) {
    return repos.computeIfAbsent(id, i -> new Repo());
  }

  List<Request> requests() {
    synchronized (requests) {
      return List.copyOf(requests);
    }
  }

  /** Downloads of {@code path} (resolve or CDN requests whose path ends with it). */
  List<Request> downloadsOf(String sha256) {
    return requests().stream().filter(r -> r.path().endsWith("/cdn/" + sha256)).toList();
  }

  /** The next {@code times} downloads of the blob break off after half of its bytes. */
  void truncate(String sha256, int times) {
    truncate.put(sha256, new AtomicInteger(times));
  }

  /** The next {@code times} downloads of the blob send other bytes of the right length. */
  void corrupt(String sha256, int times) {
    corrupt.put(sha256, new AtomicInteger(times));
  }

  /** Downloads send a kilobyte at a time with this pause after each, as a slow Hub would. */
  void slow(java.time.Duration pausePerKb) {
    pauseMillisPerKb = pausePerKb.toMillis();
  }

  /** The next {@code times} requests of any kind get 503. */
  void unavailable(int times) {
    unavailable.set(times);
  }

  static String sha256(byte[] content) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static String gitBlobId(byte[] content) {
    try {
      MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
      sha1.update(("blob " + content.length + "\0").getBytes(StandardCharsets.US_ASCII));
      return HexFormat.of().formatHex(sha1.digest(content));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Files over this size are "LFS" files: listed with their SHA-256 and served by the CDN. */
  static final int LFS_OVER = 100;

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getRawPath();
      requests.add(new Request(path + (exchange.getRequestURI().getRawQuery() == null ? ""
          : "?" + exchange.getRequestURI().getRawQuery()),
          exchange.getRequestHeaders().getFirst("Range"), exchange.getRequestHeaders().getFirst("Authorization")));
      if (unavailable.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        error(exchange, 503, null, "Service unavailable");
        return;
      }
      Matcher api = API.matcher(path);
      Matcher resolve = RESOLVE.matcher(path);
      if (api.matches()) {
        Repo repo = repos.get(api.group(1));
        if (repo == null) {
          error(exchange, 401, "RepoNotFound", "Repository not found");
        } else if (api.group(2).equals("revision")) {
          revision(exchange, api.group(1), repo, URLDecoder.decode(api.group(3), StandardCharsets.UTF_8));
        } else {
          tree(exchange, repo, api.group(3), exchange.getRequestURI().getRawQuery());
        }
      } else if (resolve.matches()) {
        resolve(exchange, repos.get(resolve.group(1)), resolve.group(2),
            URLDecoder.decode(resolve.group(3), StandardCharsets.UTF_8));
      } else if (path.startsWith("/cdn/")) {
        serve(exchange, path.substring("/cdn/".length()));
      } else {
        error(exchange, 404, null, "Not found");
      }
    }
  }

  private void revision(HttpExchange exchange, String id, Repo repo, String revision) throws IOException {
    String commit = repo.commits.containsKey(revision) ? revision : repo.revisions.get(revision);
    if (commit == null) {
      error(exchange, 404, "RevisionNotFound", "Invalid rev id: " + revision);
      return;
    }
    ObjectNode info = JSON.createObjectNode().put("id", id).put("sha", commit);
    json(exchange, 200, info.toString(), null);
  }

  private void tree(HttpExchange exchange, Repo repo, String commitAndQuery, String query) throws IOException {
    Map<String, byte[]> files = repo.commits.get(commitAndQuery);
    if (files == null) {
      error(exchange, 404, "RevisionNotFound", "Invalid rev id: " + commitAndQuery);
      return;
    }
    int cursor = query != null && query.contains("cursor=") ? Integer.parseInt(query.replaceAll(".*cursor=(\\d+).*", "$1")) : 0;
    List<Map.Entry<String, byte[]>> entries = new ArrayList<>(files.entrySet());
    ArrayNode page = JSON.createArrayNode();
    if (cursor == 0) {
      page.addObject().put("type", "directory").put("path", "data").put("oid", "0".repeat(40)).put("size", 0);
    }
    for (int i = cursor; i < Math.min(cursor + 2, entries.size()); i++) {
      byte[] content = entries.get(i).getValue();
      ObjectNode file = page.addObject().put("type", "file").put("path", entries.get(i).getKey())
          .put("oid", gitBlobId(content)).put("size", content.length);
      if (content.length > LFS_OVER) {
        file.putObject("lfs").put("oid", sha256(content)).put("size", content.length).put("pointerSize", 134);
      }
    }
    String next = cursor + 2 < entries.size()
        ? "<" + endpoint() + exchange.getRequestURI().getRawPath() + "?recursive=true&cursor=" + (cursor + 2)
            + ">; rel=\"next\""
        : null;
    json(exchange, 200, page.toString(), next);
  }

  private void resolve(HttpExchange exchange, Repo repo, String commit, String path) throws IOException {
    if (repo == null) {
      error(exchange, 401, "RepoNotFound", "Repository not found");
      return;
    }
    if (repo.requiredToken != null
        && !("Bearer " + repo.requiredToken).equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
      error(exchange, 401, "GatedRepo", "Access to this dataset is restricted. You must have access to it and be"
          + " authenticated to access it.");
      return;
    }
    byte[] content = repo.commits.getOrDefault(commit, Map.of()).get(path);
    if (content == null) {
      error(exchange, 404, "EntryNotFound", path + " does not exist on \"" + commit + "\"");
      return;
    }
    String sha = sha256(content);
    blobs.put(sha, content);
    if (content.length > LFS_OVER) {
      exchange.getResponseHeaders().add("Location", "http://localhost:" + server.getAddress().getPort() + "/cdn/" + sha);
      exchange.sendResponseHeaders(302, -1);
      return;
    }
    serve(exchange, sha);
  }

  private void serve(HttpExchange exchange, String sha) throws IOException {
    byte[] content = blobs.get(sha);
    if (content == null) {
      error(exchange, 404, null, "no such blob");
      return;
    }
    AtomicInteger wrong = corrupt.get(sha);
    if (wrong != null && wrong.getAndDecrement() > 0) {
      content = content.clone();
      content[content.length / 2] ^= 0x55;
    }
    long start = 0;
    String range = exchange.getRequestHeaders().getFirst("Range");
    if (range != null) {
      start = Long.parseLong(range.replaceAll("bytes=(\\d+)-.*", "$1"));
      if (start >= content.length) {
        exchange.getResponseHeaders().add("Content-Range", "bytes */" + content.length);
        exchange.sendResponseHeaders(416, -1);
        return;
      }
      exchange.getResponseHeaders().add("Content-Range",
          "bytes " + start + "-" + (content.length - 1) + "/" + content.length);
    }
    int length = content.length - (int) start;
    AtomicInteger cut = truncate.get(sha);
    boolean breakOff = cut != null && cut.getAndDecrement() > 0;
    exchange.sendResponseHeaders(range != null ? 206 : 200, length);
    OutputStream body = exchange.getResponseBody();
    int end = (int) start + (breakOff ? length / 2 : length);
    int step = pauseMillisPerKb > 0 ? 1024 : end;
    for (int at = (int) start; at < end; at += step) {
      body.write(content, at, Math.min(step, end - at));
      body.flush();
      pause();
    }
    if (breakOff) {
      exchange.getHttpContext().getServer(); // the connection drops with the exchange's close below
      throw new IOException("breaking off the download on purpose");
    }
  }

  private void pause() {
    if (pauseMillisPerKb > 0) {
      try {
        Thread.sleep(pauseMillisPerKb);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static void error(HttpExchange exchange, int status, String code, String message) throws IOException {
    if (code != null) {
      exchange.getResponseHeaders().add("X-Error-Code", code);
    }
    json(exchange, status, JSON.createObjectNode().put("error", message).toString(), null);
  }

  private static void json(HttpExchange exchange, int status, String body, String link) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().add("Content-Type", "application/json");
    if (link != null) {
      exchange.getResponseHeaders().add("Link", link);
    }
    exchange.sendResponseHeaders(status, bytes.length);
    exchange.getResponseBody().write(bytes);
  }

  /** Files of a commit, in a stable order. */
  public static Map<String, byte[]> files(Object... pathsAndContents) {
    Map<String, byte[]> files = new LinkedHashMap<>();
    for (int i = 0; i < pathsAndContents.length; i += 2) {
      files.put((String) pathsAndContents[i], (byte[]) pathsAndContents[i + 1]);
    }
    return files;
  }

  @Override
  public void close() {
    server.stop(0);
    ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
  }
}
