package io.imagefarm.bench;

/**
 * One endpoint at one concurrency, over its measured window(s): answered requests (2xx), failed ones
 * (other status or no answer), and latency percentiles of the answered ones.
 */
record LoadFigure(long requests, long errors, double seconds, double p50Millis, double p99Millis) {

    double requestsPerSecond() {
        return seconds > 0 ? requests / seconds : 0;
    }
}
