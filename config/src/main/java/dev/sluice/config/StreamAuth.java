package dev.sluice.config;

import java.nio.file.Path;

/**
 * A stream target's authentication beyond user and password, and its TLS. Every field may be null.
 *
 * @param token a token the server accepts ({@code authorization { token: ... }})
 * @param credentials a NATS credentials file (a user JWT and its NKey seed)
 * @param nkey an NKey user seed ({@code SU...})
 * @param tlsCa PEM file of the certificates that sign the server's certificate; set, the connection
 *     uses TLS
 * @param tlsCert PEM file of the client's certificate (chain), for mutual TLS
 * @param tlsKey PEM file of the client certificate's private key (PKCS#8, unencrypted)
 */
public record StreamAuth(
    Secret token, Path credentials, Secret nkey, Path tlsCa, Path tlsCert, Path tlsKey) {
  public static final StreamAuth NONE = new StreamAuth(null, null, null, null, null, null);

  /** Whether the connection uses TLS. */
  public boolean tls() {
    return tlsCa != null || tlsCert != null;
  }
}
