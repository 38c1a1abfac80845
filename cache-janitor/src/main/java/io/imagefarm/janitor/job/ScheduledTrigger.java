package io.imagefarm.janitor.job;

import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** The schedule: {@code imagefarm.janitor.schedule.cron} (default daily at 03:00; {@code off} disables it). */
@ApplicationScoped
public class ScheduledTrigger {

    @Inject
    JanitorService janitor;

    @Scheduled(identity = "cache-janitor", cron = "${imagefarm.janitor.schedule.cron}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void run() {
        janitor.runScheduled();
    }
}
