package io.imagefarm.bench;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 on a new TCP connection per request, as a CI job's one resolve (or one GitHub webhook
 * delivery) reaches the hasher: connect, send the request with {@code Connection: close}, read the
 * answer until the server closes the connection. Plain sockets and a request built once, so the client
 * side costs little beside the server's work; the server closes first, so the TIME_WAIT sockets are
 * its own, not the load generator's ephemeral ports.
 */
final class NewConnectionHttp {

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(60);

    private final InetSocketAddress address;
    private final String host;

    /** @param base the server, e.g. {@code http://127.0.0.1:8081} (plain HTTP only: the embedded stack's) */
    NewConnectionHttp(URI base) {
        if (!"http".equalsIgnoreCase(base.getScheme()) || base.getHost() == null) {
            throw new IllegalArgumentException("expected an http://host:port URL, not " + base);
        }
        int port = base.getPort() < 0 ? 80 : base.getPort();
        this.address = new InetSocketAddress(base.getHost(), port);
        this.host = base.getHost() + ":" + port;
    }

    /** A POST of {@code body} to {@code path}, each call on its own new connection. */
    HttpCall post(String path, Map<String, String> headers, byte[] body) {
        byte[] request = request("POST", path, headers, body);
        return () -> exchange(request);
    }

    /** The request's bytes: what goes on the wire, built once. */
    byte[] request(String method, String path, Map<String, String> headers, byte[] body) {
        StringBuilder head = new StringBuilder()
                .append(method).append(' ').append(path).append(" HTTP/1.1\r\n")
                .append("Host: ").append(host).append("\r\n");
        headers.forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
        head.append("Content-Length: ").append(body.length).append("\r\n")
                .append("Connection: close\r\n\r\n");
        byte[] h = head.toString().getBytes(StandardCharsets.ISO_8859_1);
        byte[] all = new byte[h.length + body.length];
        System.arraycopy(h, 0, all, 0, h.length);
        System.arraycopy(body, 0, all, h.length, body.length);
        return all;
    }

    /** Connects, sends {@code request}, reads the whole answer (until the server closes), closes. */
    HttpCall.Answer exchange(byte[] request) throws IOException {
        try (Socket socket = new Socket()) {
            socket.setTcpNoDelay(true);
            socket.setSoTimeout((int) READ_TIMEOUT.toMillis());
            socket.connect(address, (int) CONNECT_TIMEOUT.toMillis());
            OutputStream out = socket.getOutputStream();
            out.write(request);
            out.flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream answer = new ByteArrayOutputStream(2048);
            byte[] buffer = new byte[8192];
            for (int n; (n = in.read(buffer)) >= 0; ) {
                answer.write(buffer, 0, n);
            }
            return parse(answer.toByteArray());
        }
    }

    /** Status line, headers, body (Content-Length or chunked, as far as it came). */
    static HttpCall.Answer parse(byte[] raw) throws IOException {
        String text = new String(raw, StandardCharsets.ISO_8859_1);
        int headEnd = text.indexOf("\r\n\r\n");
        if (!text.startsWith("HTTP/1.") || headEnd < 0) {
            throw new IOException("not an HTTP/1.x answer (" + raw.length + " bytes): " + LoadGenerator.abbreviate(text));
        }
        String[] lines = text.substring(0, headEnd).split("\r\n");
        String[] status = lines[0].split(" ", 3);
        int code;
        try {
            code = Integer.parseInt(status[1]);
        } catch (RuntimeException e) {
            throw new IOException("bad status line: " + lines[0]);
        }
        boolean chunked = false;
        for (int i = 1; i < lines.length; i++) {
            String line = lines[i].toLowerCase(Locale.ROOT);
            if (line.startsWith("transfer-encoding:") && line.contains("chunked")) {
                chunked = true;
            }
        }
        int from = headEnd + 4;
        byte[] body;
        if (chunked) {
            ByteArrayOutputStream decoded = new ByteArrayOutputStream();
            int at = from;
            while (at < raw.length) {
                int eol = text.indexOf("\r\n", at);
                if (eol < 0) {
                    break;
                }
                int size = Integer.parseInt(text.substring(at, eol).split(";", 2)[0].strip(), 16);
                if (size == 0) {
                    break;
                }
                int start = eol + 2;
                decoded.write(raw, start, Math.min(size, raw.length - start));
                at = start + size + 2;
            }
            body = decoded.toByteArray();
        } else {
            body = java.util.Arrays.copyOfRange(raw, from, raw.length);
        }
        return new HttpCall.Answer(code, new String(body, StandardCharsets.UTF_8));
    }
}
