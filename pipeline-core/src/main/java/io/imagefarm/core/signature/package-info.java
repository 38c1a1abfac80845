/**
 * Image signatures in cosign's format (sigstore's SIGNATURE_SPEC), signed with an operator's ECDSA P-256 key
 * and no transparency log, and their verification. Plain Java (JDK crypto, Jackson), so the hasher (which
 * pushes the index and signs it) and {@code bin/imagefarm verify} (a plain jar) share one implementation.
 * The registry is behind two small ports: {@link io.imagefarm.core.signature.ContentReader} and
 * {@link io.imagefarm.core.signature.ContentWriter}; {@code registry-client}'s
 * {@code io.imagefarm.registry.signature.RegistryContentStore} implements them over the project's client.
 *
 * <p>Wiring in a service, once the index is pushed:
 * <pre>{@code
 * // imagefarm.hasher.signing.key-file (optional): no file, no signer, nothing signed
 * Optional<Signer> signer = SigningKey.fromSecret("imagefarm.hasher.signing.key", config.signing().keyFile())
 *         .map(key -> new Signer(key, new RegistryContentStore(registryClient)));
 * signer.ifPresent(s -> s.signIndex(index.repo(), indexDigest, indexManifest,
 *         new SignatureClaims(repository.toString(), commit, versionHash)));
 * // READY when a key is configured: the signature exists and states these claims. The JDK cannot derive
 * // the public key from a PKCS#8 private key, so the check reads the public key file (signing.pub),
 * // checked at start-up to belong to the key: key.isPairedWith(publicKey)
 * new SignatureVerifier(VerificationKey.fromFile(publicKeyFile), store)
 *         .verify(index.repo(), indexDigest, ExpectedClaims.of(claims));
 * }</pre>
 */
package io.imagefarm.core.signature;
