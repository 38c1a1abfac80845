package io.imagefarm.janitor.job;

import io.imagefarm.janitor.report.JanitorReport;

/** Where a finished run's report goes (the reports topic); throws if it did not get there. */
@FunctionalInterface
public interface ReportSink {

    void publish(JanitorReport report);
}
