package dev.contrastive.trainer.tracking;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Uploads a run's files through the MLflow server's artifact proxy ({@code mlflow server
 * --serve-artifacts}, the default since MLflow 2.0), whose runs have {@code mlflow-artifacts:}
 * URIs. The Java client itself uploads only by calling the Python CLI, which the trainer image
 * does not have; stores behind other URIs (s3://, gs://, ...) are not written from here.
 */
final class MlflowArtifacts {

  private static final String SCHEME = "mlflow-artifacts";
  private static final String API = "/api/2.0/mlflow-artifacts/artifacts";

  private final HttpClient http;
  private final String base;
  private final String authorization;

  private MlflowArtifacts(HttpClient http, String base, String authorization) {
    this.http = http;
    this.base = base;
    this.authorization = authorization;
  }

  /**
   * The uploader of a run whose artifact root is {@code artifactUri}; empty when that root is not
   * behind the tracking server's proxy.
   *
   * @param authorization the Authorization header of the tracking calls, or null
   */
  static Optional<MlflowArtifacts> of(String trackingUri, String artifactUri, String authorization) {
    if (artifactUri == null || !artifactUri.startsWith(SCHEME + ":")) {
      return Optional.empty();
    }
    URI artifacts = URI.create(artifactUri);
    URI tracking = URI.create(trackingUri);
    String server = artifacts.getRawAuthority() == null
        ? stripSlash(trackingUri)
        : tracking.getScheme() + "://" + artifacts.getRawAuthority();
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    return Optional.of(new MlflowArtifacts(http, server + API + stripSlash(artifacts.getRawPath()), authorization));
  }

  void upload(String artifactPath, byte[] content) throws IOException, InterruptedException {
    send(artifactPath, HttpRequest.BodyPublishers.ofByteArray(content));
  }

  void upload(String artifactPath, Path file) throws IOException, InterruptedException {
    send(artifactPath, HttpRequest.BodyPublishers.ofFile(file));
  }

  private void send(String artifactPath, HttpRequest.BodyPublisher body) throws IOException, InterruptedException {
    String encoded = Arrays.stream(artifactPath.split("/"))
        .map(part -> URLEncoder.encode(part, StandardCharsets.UTF_8).replace("+", "%20"))
        .collect(Collectors.joining("/"));
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + "/" + encoded))
        .timeout(Duration.ofMinutes(10))
        .header("Content-Type", "application/octet-stream")
        .PUT(body);
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() / 100 != 2) {
      throw new IOException("MLflow artifact upload of " + artifactPath + " answered HTTP " + response.statusCode()
          + ": " + response.body().lines().findFirst().orElse(""));
    }
  }

  private static String stripSlash(String s) {
    return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
  }
}
