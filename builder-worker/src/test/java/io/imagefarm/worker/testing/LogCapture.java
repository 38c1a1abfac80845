package io.imagefarm.worker.testing;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.jboss.logmanager.ExtLogRecord;

/**
 * Every log line of this JVM (the in-JVM worker's included) while open: formatted message, logger
 * name, and the messages of any attached exception chain.
 */
public final class LogCapture extends Handler implements AutoCloseable {

    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final Logger root = Logger.getLogger("");

    private LogCapture() {
        setLevel(Level.ALL);
    }

    public static LogCapture start() {
        LogCapture capture = new LogCapture();
        capture.root.addHandler(capture);
        return capture;
    }

    public List<String> lines() {
        return lines;
    }

    @Override
    public void publish(LogRecord record) {
        StringBuilder line = new StringBuilder(record.getLoggerName() == null ? "" : record.getLoggerName()).append(": ");
        line.append(record instanceof ExtLogRecord ext ? ext.getFormattedMessage() : String.valueOf(record.getMessage()));
        for (Throwable t = record.getThrown(); t != null; t = t.getCause()) {
            line.append(" | ").append(t);
        }
        lines.add(line.toString());
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        root.removeHandler(this);
    }
}
