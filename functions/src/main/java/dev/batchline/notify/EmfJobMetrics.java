package dev.batchline.notify;

import dev.batchline.job.JobStatus;
import dev.batchline.job.PartOutcome;
import java.time.Duration;
import java.util.Map;
import software.amazon.lambda.powertools.metrics.Metrics;
import software.amazon.lambda.powertools.metrics.MetricsFactory;
import software.amazon.lambda.powertools.metrics.model.DimensionSet;
import software.amazon.lambda.powertools.metrics.model.MetricUnit;

/**
 * Job metrics as CloudWatch embedded metric format lines through Powertools, in the namespace of
 * {@code POWERTOOLS_METRICS_NAMESPACE} with a {@code Service} dimension from
 * {@code POWERTOOLS_SERVICE_NAME}. Each figure is flushed at once: the handlers run without the
 * Powertools aspect, so no invocation end would flush them.
 */
public final class EmfJobMetrics implements JobMetrics {

    private final Metrics metrics;
    private final String namespace;
    private final DimensionSet service;

    public EmfJobMetrics(Metrics metrics, String namespace, String service) {
        this.metrics = metrics;
        this.namespace = namespace;
        this.service = DimensionSet.of("Service", service);
    }

    /** In a Lambda container with a namespace configured, EMF figures; otherwise none. */
    public static JobMetrics fromEnvironment(Map<String, String> env) {
        String namespace = env.get("POWERTOOLS_METRICS_NAMESPACE");
        if (env.get("AWS_LAMBDA_FUNCTION_NAME") == null || namespace == null || namespace.isBlank()) {
            return JobMetrics.NONE;
        }
        return new EmfJobMetrics(MetricsFactory.getMetricsInstance(), namespace,
                env.getOrDefault("POWERTOOLS_SERVICE_NAME", "batchline"));
    }

    @Override
    public void runningJobAge(Duration age) {
        metrics.flushSingleMetric(JOB_AGE, age.toSeconds(), MetricUnit.SECONDS, namespace, service);
    }

    @Override
    public void jobFinished(JobStatus status, PartOutcome outcome) {
        metrics.flushSingleMetric(status == JobStatus.COMPLETED ? JOBS_COMPLETED : JOBS_FAILED, 1, MetricUnit.COUNT,
                namespace, service);
        metrics.flushSingleMetric(RECORDS_SUCCEEDED, outcome.succeeded(), MetricUnit.COUNT, namespace, service);
        metrics.flushSingleMetric(RECORDS_FAILED, outcome.records() - outcome.succeeded(), MetricUnit.COUNT,
                namespace, service);
    }
}
