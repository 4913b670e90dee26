package dev.contrastive.trainer.data.hub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.contrastive.trainer.data.DataException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The Hub's HTTP API, as huggingface_hub calls it: {@code /api/datasets/<repo>/revision/<rev>} (the
 * commit a branch or tag points at), {@code /api/datasets/<repo>/tree/<commit>?recursive=true}
 * (files with sizes and LFS SHA-256, paged by Link headers) and {@code /datasets/<repo>/resolve/
 * <commit>/<path>} (the file, usually by redirect to a CDN; fetched with Range to resume). The
 * token goes as a bearer token to the Hub itself and never to another host a redirect leads to.
 *
 * <p>Refusals are final and name what to do ({@link DataException}: unknown repository, revision
 * or file; gated or private data set); server errors, 429 and broken connections are retried with
 * back-off, then {@link HubUnavailableException}.
 */
final class HubClient {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern NEXT_LINK = Pattern.compile("<([^>]+)>\\s*;\\s*rel=\"next\"");
  private static final Pattern CONTENT_RANGE_START = Pattern.compile("bytes (\\d+)-");
  private static final int MAX_REDIRECTS = 10;

  private final HubSettings settings;
  private final HttpClient http;
  private final Backoff backoff;
  private final Duration stallTimeout;
  private final Consumer<String> log;

  /**
   * @param stallTimeout a download that receives nothing for this long is dropped and resumed
   * @param log is told of each failed attempt before the wait for the next, so a worker that
   *     cannot reach the Hub says so at once instead of minutes later
   */
  HubClient(HubSettings settings, Backoff backoff, Duration stallTimeout, Consumer<String> log) {
    this.settings = settings;
    this.backoff = backoff;
    this.stallTimeout = stallTimeout;
    this.log = log;
    this.http = HttpClient.newBuilder()
        .connectTimeout(Duration.ofSeconds(30))
        .followRedirects(HttpClient.Redirect.NEVER) // followed here, to keep the token on the Hub
        .build();
  }

  /** The commit {@code revision} (a branch, tag or commit) points at now. */
  String commit(String repo, String revision) {
    JsonNode info = json(api(repo) + "/revision/" + encode(revision), repo, revision);
    String sha = info.path("sha").asText("");
    if (!sha.matches("[0-9a-f]{40}")) {
      throw new HubUnavailableException(settings.endpoint() + " named no commit for " + repo + "@" + revision);
    }
    return sha;
  }

  /** Every file of the repository at {@code commit}. */
  List<HubFile> tree(String repo, String commit) {
    List<HubFile> files = new ArrayList<>();
    String url = api(repo) + "/tree/" + commit + "?recursive=true";
    while (url != null) {
      String page = url;
      HttpResponse<byte[]> response = withRetries("list " + repo, () -> send(page, null, BodyKind.BYTES), repo,
          commit);
      try {
        for (JsonNode entry : JSON.readTree(response.body())) {
          if (!"file".equals(entry.path("type").asText())) {
            continue;
          }
          JsonNode lfs = entry.path("lfs");
          files.add(new HubFile(entry.path("path").asText(), entry.path("size").asLong(),
              entry.path("oid").asText(), lfs.isObject() ? lfs.path("oid").asText(null) : null));
        }
      } catch (IOException e) {
        throw new HubUnavailableException(settings.endpoint() + ": the file list of " + repo + " is not JSON", e);
      }
      url = response.headers().firstValue("Link").map(HubClient::nextLink).orElse(null);
    }
    return files;
  }

  /**
   * Downloads {@code file} into {@code partial}, continuing after the bytes already there, until it
   * holds {@code file.size()} bytes; {@code received} is told of every chunk written.
   */
  void download(String repo, String commit, HubFile file, Path partial, LongConsumer received) {
    String url = settings.endpoint() + "/datasets/" + repo + "/resolve/" + commit + "/" + encodePath(file.path());
    for (int attempt = 1; ; attempt++) {
      try {
        long have = Files.exists(partial) ? Files.size(partial) : 0;
        if (have == file.size()) {
          return;
        }
        if (have > file.size()) {
          Files.delete(partial);
          have = 0;
        }
        HttpResponse<InputStream> response = send(url, have > 0 ? "bytes=" + have + "-" : null, BodyKind.STREAM);
        try (InputStream body = response.body()) {
          int status = response.statusCode();
          if (status == 416) {
            Files.deleteIfExists(partial); // what we hold does not fit the file: start again
            continue;
          }
          if (status != 200 && status != 206) {
            throw failure(status, response.headers().firstValue("X-Error-Code").orElse(""), body.readAllBytes(),
                repo, commit, file.path());
          }
          boolean append = status == 206 && rangeStart(response).orElse(-1L) == have;
          copy(body, partial, append, received, have);
        }
        if (Files.size(partial) == file.size()) {
          return;
        }
        throw new IOException("connection closed after " + Files.size(partial) + " of " + file.size() + " bytes");
      } catch (Retry | IOException e) {
        String what = "download " + file.path() + " of " + repo + " from " + settings.endpoint();
        if (attempt >= backoff.attempts()) {
          throw new HubUnavailableException("cannot " + what + " after " + attempt + " attempts: "
              + NetworkFailures.describe(e, url) + NetworkFailures.advice(e), e);
        }
        retryLater(what, attempt, e, url);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new HubUnavailableException("interrupted while downloading " + file.path(), e);
      }
    }
  }

  private JsonNode json(String url, String repo, String revision) {
    HttpResponse<byte[]> response = withRetries("ask about " + repo, () -> send(url, null, BodyKind.BYTES), repo,
        revision);
    try {
      return JSON.readTree(response.body());
    } catch (IOException e) {
      throw new HubUnavailableException(settings.endpoint() + ": the answer about " + repo + " is not JSON", e);
    }
  }

  private interface Request {
    HttpResponse<?> send() throws IOException, InterruptedException;
  }

  @SuppressWarnings("unchecked")
  private HttpResponse<byte[]> withRetries(String what, Request request, String repo, String revision) {
    for (int attempt = 1; ; attempt++) {
      try {
        HttpResponse<byte[]> response = (HttpResponse<byte[]>) request.send();
        if (response.statusCode() == 200) {
          return response;
        }
        throw failure(response.statusCode(), response.headers().firstValue("X-Error-Code").orElse(""),
            response.body(), repo, revision, null);
      } catch (Retry | IOException e) {
        if (attempt >= backoff.attempts()) {
          throw new HubUnavailableException("cannot " + what + " at " + settings.endpoint() + " after " + attempt
              + " attempts: " + NetworkFailures.describe(e, settings.endpoint()) + NetworkFailures.advice(e), e);
        }
        retryLater(what + " at " + settings.endpoint(), attempt, e, settings.endpoint());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new HubUnavailableException("interrupted while asking " + settings.endpoint(), e);
      }
    }
  }

  private void retryLater(String what, int attempt, Exception e, String url) {
    log.accept("cannot " + what + " (attempt " + attempt + " of " + backoff.attempts() + ": "
        + NetworkFailures.describe(e, url) + "); retrying in " + seconds(backoff.delayBefore(attempt)));
    backoff.sleepBefore(attempt);
  }

  private static String seconds(Duration delay) {
    return delay.toMillis() >= 1000 ? delay.toSeconds() + " s" : delay.toMillis() + " ms";
  }

  private enum BodyKind { BYTES, STREAM }

  /** GET, following redirects; the token only goes to the Hub's own host. */
  private <T> HttpResponse<T> send(String url, String range, BodyKind kind) throws IOException, InterruptedException {
    URI hub = URI.create(settings.endpoint());
    URI uri = URI.create(url);
    for (int hop = 0; ; hop++) {
      HttpRequest.Builder request = HttpRequest.newBuilder(uri).GET().timeout(Duration.ofSeconds(60))
          .header("User-Agent", "contrastive-trainer");
      if (settings.token() != null && sameOrigin(hub, uri)) {
        request.header("Authorization", "Bearer " + settings.token());
      }
      if (range != null) {
        request.header("Range", range);
      }
      @SuppressWarnings("unchecked")
      HttpResponse<T> response = (HttpResponse<T>) (kind == BodyKind.BYTES
          ? http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray())
          : http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream()));
      int status = response.statusCode();
      if (status < 300 || status >= 400 || status == 304) {
        return response;
      }
      if (response.body() instanceof InputStream stream) {
        stream.close();
      }
      String location = response.headers().firstValue("Location").orElse(null);
      if (location == null || hop >= MAX_REDIRECTS) {
        throw new IOException("HTTP " + status + " from " + uri.getHost() + " without a usable redirect");
      }
      uri = uri.resolve(location);
    }
  }

  /** A refusal that retrying cannot change, or {@link Retry} for one that it may. */
  private RuntimeException failure(int status, String errorCode, byte[] body, String repo, String revision,
      String path) {
    String said = hubMessage(body);
    String token = settings.describeToken();
    if (status == 429 || status >= 500) {
      return new Retry("HTTP " + status + said);
    }
    if ("GatedRepo".equals(errorCode) || (status == 403 && said.toLowerCase().contains("gated"))) {
      return new DataException("dataset.source " + repo + " is a gated data set and " + token
          + (settings.token() == null
              ? " gives no access: accept its conditions on the data set's Hub page, then put a token of that"
                  + " account in HF_TOKEN (from a Secret, through spec.template envFrom)"
              : " has no access yet: accept its conditions on the data set's Hub page with the token's account")
          + " (HTTP " + status + " from " + settings.endpoint() + said + ")");
    }
    if ("RevisionNotFound".equals(errorCode)) {
      return new DataException("dataset.revision '" + revision + "': no such branch, tag or commit in " + repo
          + " (HTTP " + status + said + ")");
    }
    if ("EntryNotFound".equals(errorCode) || (status == 404 && path != null && !"RepoNotFound".equals(errorCode))) {
      return new DataException("dataset.source " + repo + ": " + path + " is listed but the Hub has no such file"
          + " (HTTP " + status + said + ")");
    }
    if ("RepoNotFound".equals(errorCode) || status == 404 || status == 401) {
      return new DataException("dataset.source " + repo + ": no such data set on " + settings.endpoint()
          + ", or it is private and " + token + " cannot read it (HTTP " + status + said + ")");
    }
    if (status == 403) {
      return new DataException("dataset.source " + repo + ": the Hub refused access with " + token
          + " (HTTP 403" + said + "); a token of an account that may read it goes in HF_TOKEN");
    }
    return new DataException("dataset.source " + repo + ": the Hub answered HTTP " + status + said);
  }

  private void copy(InputStream body, Path partial, boolean append, LongConsumer received, long have)
      throws IOException {
    Files.createDirectories(partial.getParent());
    try (OutputStream out = Files.newOutputStream(partial, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
            append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING);
        StallGuard guard = new StallGuard(body, stallTimeout)) {
      if (!append && have > 0) {
        received.accept(-have); // the bytes held before are written again
      }
      byte[] buffer = new byte[1 << 16];
      int n;
      while ((n = body.read(buffer)) > 0) {
        guard.progressed();
        out.write(buffer, 0, n);
        received.accept(n);
      }
      if (guard.stalled()) {
        throw new IOException("no data for " + stallTimeout.toSeconds() + " s");
      }
    }
  }

  private static java.util.Optional<Long> rangeStart(HttpResponse<?> response) {
    return response.headers().firstValue("Content-Range").map(CONTENT_RANGE_START::matcher)
        .filter(Matcher::find).map(m -> Long.parseLong(m.group(1)));
  }

  private String api(String repo) {
    return settings.endpoint() + "/api/datasets/" + repo;
  }

  private static boolean sameOrigin(URI a, URI b) {
    return Objects.equals(a.getScheme(), b.getScheme()) && Objects.equals(a.getHost(), b.getHost())
        && a.getPort() == b.getPort();
  }

  private static String nextLink(String header) {
    Matcher next = NEXT_LINK.matcher(header);
    return next.find() ? next.group(1) : null;
  }

  private static String hubMessage(byte[] body) {
    try {
      String error = JSON.readTree(body).path("error").asText("");
      return error.isBlank() ? "" : ": " + error.lines().findFirst().orElse("").strip();
    } catch (IOException | RuntimeException e) {
      return "";
    }
  }

  private static String encode(String segment) {
    return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private static String encodePath(String path) {
    return Arrays.stream(path.split("/")).map(HubClient::encode).collect(Collectors.joining("/"));
  }

  /** A failure worth retrying: a server error or 429. */
  private static final class Retry extends RuntimeException {
    Retry(String message) {
      super(message);
    }
  }
}
