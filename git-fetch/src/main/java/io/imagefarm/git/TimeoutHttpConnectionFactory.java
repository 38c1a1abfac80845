package io.imagefarm.git;

import java.io.IOException;
import java.net.Proxy;
import java.net.URL;
import java.time.Duration;
import org.eclipse.jgit.transport.http.HttpConnection;
import org.eclipse.jgit.transport.http.JDKHttpConnection;
import org.eclipse.jgit.transport.http.JDKHttpConnectionFactory;

/**
 * JGit's JDK HTTP connections with separate connect and read timeouts. JGit's own transport timeout
 * is one value for both (it sets it on every connection it opens); these connections keep theirs.
 */
final class TimeoutHttpConnectionFactory extends JDKHttpConnectionFactory {

    private final int connectMillis;
    private final int readMillis;

    TimeoutHttpConnectionFactory(Duration connectTimeout, Duration readTimeout) {
        this.connectMillis = millis(connectTimeout);
        this.readMillis = millis(readTimeout);
    }

    @Override
    public HttpConnection create(URL url) throws IOException {
        return new Connection(url, connectMillis, readMillis);
    }

    @Override
    public HttpConnection create(URL url, Proxy proxy) throws IOException {
        return new Connection(url, proxy, connectMillis, readMillis);
    }

    private static int millis(Duration d) {
        return (int) Math.min(Integer.MAX_VALUE, Math.max(1, d.toMillis()));
    }

    private static final class Connection extends JDKHttpConnection {

        private final int connectMillis;
        private final int readMillis;

        Connection(URL url, int connectMillis, int readMillis) throws IOException {
            super(url);
            this.connectMillis = connectMillis;
            this.readMillis = readMillis;
            super.setConnectTimeout(connectMillis);
            super.setReadTimeout(readMillis);
        }

        Connection(URL url, Proxy proxy, int connectMillis, int readMillis) throws IOException {
            super(url, proxy);
            this.connectMillis = connectMillis;
            this.readMillis = readMillis;
            super.setConnectTimeout(connectMillis);
            super.setReadTimeout(readMillis);
        }

        @Override
        public void setConnectTimeout(int ignored) {
            super.setConnectTimeout(connectMillis);
        }

        @Override
        public void setReadTimeout(int ignored) {
            super.setReadTimeout(readMillis);
        }
    }
}
