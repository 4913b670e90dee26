package dev.contrastive.trainer.data.hub;

import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;

/**
 * Says in words why a request to the Hub failed. Java's HTTP client throws a {@link
 * ConnectException} without a message whether the host has no DNS answer or refused the
 * connection; the cause chain tells them apart.
 */
final class NetworkFailures {

  private NetworkFailures() {}

  /** E.g. "unknown host huggingface.co", "cannot connect to 127.0.0.1:9", "HTTP 503: ...". */
  static String describe(Throwable failure, String url) {
    String host = host(url);
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof UnresolvedAddressException || t instanceof UnknownHostException) {
        return "unknown host " + host + " (no DNS answer)";
      }
      if (t instanceof HttpConnectTimeoutException) {
        return "connecting to " + host + " timed out";
      }
      if (t instanceof HttpTimeoutException) {
        return "no answer from " + host + " in time";
      }
    }
    if (connectionFailed(failure)) {
      return "cannot connect to " + host + " (connection refused or no route)";
    }
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t.getMessage() != null && !t.getMessage().isBlank()) {
        return t.getMessage();
      }
    }
    return failure.getClass().getSimpleName();
  }

  /** What to do when the Hub was not reached at all; empty for failures of a Hub that answered. */
  static String advice(Throwable failure) {
    return connectionFailed(failure)
        ? "; this machine cannot reach the Hub: check its network, point HF_ENDPOINT at a reachable mirror,"
            + " or set HF_HUB_OFFLINE=1 to train from a cache that holds the data set"
        : "";
  }

  private static boolean connectionFailed(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof ConnectException || t instanceof UnresolvedAddressException
          || t instanceof UnknownHostException || t instanceof HttpConnectTimeoutException) {
        return true;
      }
    }
    return false;
  }

  private static String host(String url) {
    try {
      URI uri = URI.create(url);
      return uri.getPort() == -1 ? uri.getHost() : uri.getHost() + ":" + uri.getPort();
    } catch (IllegalArgumentException e) {
      return url;
    }
  }
}
