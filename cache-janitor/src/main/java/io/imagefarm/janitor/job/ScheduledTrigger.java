package io.imagefarm.janitor.job;

import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;

/** The schedule: {@code imagefarm.janitor.schedule.cron} (default daily at 03:00; {@code off} disables it). */
@ApplicationScoped
public class ScheduledTrigger {

    private final JanitorService janitor;

    public ScheduledTrigger(JanitorService janitor) {
        this.janitor = janitor;
    }

    @Scheduled(identity = "cache-janitor", cron = "${imagefarm.janitor.schedule.cron}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void run() {
        janitor.runScheduled();
    }
}
