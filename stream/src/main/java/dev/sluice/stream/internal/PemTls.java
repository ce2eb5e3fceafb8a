package dev.sluice.stream.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A TLS context from PEM files, as brokers' own tools write them: the certificates to trust, and a
 * client certificate (chain) with its unencrypted PKCS#8 private key ({@code BEGIN PRIVATE KEY};
 * RSA, EC or Ed25519). Broker-neutral.
 */
public final class PemTls {
  private PemTls() {}

  /**
   * @param ca the certificates that sign the server's, or null for the JDK's default trust
   * @param cert the client certificate (chain), or null for no client certificate
   * @param key its private key; with {@code cert}
   * @throws IllegalArgumentException naming the file and what is wrong with it
   */
  public static SSLContext context(Path ca, Path cert, Path key) {
    try {
      TrustManagerFactory trust =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      if (ca == null) {
        trust.init((KeyStore) null);
      } else {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        int i = 0;
        for (Certificate certificate : certificates(ca, "tlsCa")) {
          store.setCertificateEntry("ca" + i++, certificate);
        }
        trust.init(store);
      }
      KeyManagerFactory keys = null;
      if (cert != null) {
        char[] password = new char[0];
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry(
            "client",
            privateKey(key),
            password,
            certificates(cert, "tlsCert").toArray(new Certificate[0]));
        keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(store, password);
      }
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keys == null ? null : keys.getKeyManagers(), trust.getTrustManagers(), null);
      return context;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalArgumentException("cannot set up TLS: " + e.getMessage(), e);
    }
  }

  private static List<Certificate> certificates(Path file, String key) {
    try (InputStream in = Files.newInputStream(file)) {
      Collection<? extends Certificate> read =
          CertificateFactory.getInstance("X.509").generateCertificates(in);
      if (read.isEmpty()) {
        throw new IllegalArgumentException(key + " " + file + " holds no certificate");
      }
      return List.copyOf(read);
    } catch (IOException e) {
      throw new IllegalArgumentException(key + " " + file + " cannot be read: " + e, e);
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException(
          key + " " + file + " is not a PEM certificate file: " + e.getMessage(), e);
    }
  }

  private static PrivateKey privateKey(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new IllegalArgumentException("tlsKey " + file + " cannot be read: " + e, e);
    }
    int begin = text.indexOf("-----BEGIN PRIVATE KEY-----");
    int end = text.indexOf("-----END PRIVATE KEY-----");
    if (begin < 0 || end < begin) {
      throw new IllegalArgumentException(
          "tlsKey "
              + file
              + " holds no unencrypted PKCS#8 key (-----BEGIN PRIVATE KEY-----); convert it with"
              + " openssl pkcs8 -topk8 -nocrypt");
    }
    byte[] der =
        Base64.getMimeDecoder()
            .decode(text.substring(begin + "-----BEGIN PRIVATE KEY-----".length(), end));
    for (String algorithm : List.of("RSA", "EC", "Ed25519")) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
      } catch (GeneralSecurityException e) {
        // the next algorithm
      }
    }
    throw new IllegalArgumentException(
        "tlsKey " + file + " is not an RSA, EC or Ed25519 private key");
  }
}
