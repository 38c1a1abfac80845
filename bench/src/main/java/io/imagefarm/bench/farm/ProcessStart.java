package io.imagefarm.bench.farm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

/**
 * When a process started, from Linux's /proc: its start time in clock ticks after boot, set against the
 * uptime (to 10 ms; /proc/stat's btime has whole seconds only, too coarse for a 5 s goal).
 */
final class ProcessStart {

    /** USER_HZ: 100 on every Linux architecture the farm runs on (sysconf(_SC_CLK_TCK)). */
    private static final long TICKS_PER_SECOND = 100;

    private ProcessStart() {
    }

    static Instant of(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        // Field 2 (the command) is in parentheses and may hold spaces: count fields after its closing one.
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        long ticks = Long.parseLong(fields[19]); // field 22, starttime
        Instant now = Instant.now();
        String uptime = Files.readString(Path.of("/proc/uptime")).split(" ")[0]; // seconds since boot, 2 decimals
        long upMillis = Math.round(Double.parseDouble(uptime) * 1000);
        return now.minusMillis(upMillis - ticks * 1000 / TICKS_PER_SECOND);
    }
}
