package dev.batchline.aws;

import dev.batchline.lambda.BatchlineFunction;
import dev.batchline.notify.JobMetrics;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.services.cloudwatch.Alarm;
import software.amazon.awscdk.services.cloudwatch.ComparisonOperator;
import software.amazon.awscdk.services.cloudwatch.Dashboard;
import software.amazon.awscdk.services.cloudwatch.GraphWidget;
import software.amazon.awscdk.services.cloudwatch.IMetric;
import software.amazon.awscdk.services.cloudwatch.IWidget;
import software.amazon.awscdk.services.cloudwatch.Metric;
import software.amazon.awscdk.services.cloudwatch.MetricOptions;
import software.amazon.awscdk.services.cloudwatch.TreatMissingData;
import software.amazon.awscdk.services.cloudwatch.actions.SnsAction;
import software.amazon.awscdk.services.lambda.Alias;
import software.amazon.awscdk.services.sns.Topic;
import software.amazon.awscdk.services.sns.subscriptions.EmailSubscription;
import software.amazon.awscdk.services.sqs.Queue;
import software.amazon.awscdk.services.stepfunctions.StateMachine;
import software.constructs.Construct;

/**
 * Alarms and a dashboard: dead letters waiting, failed executions, function errors, and a job
 * still running past its completion window (the {@value JobMetrics#JOB_AGE} metric PollBatch
 * emits). Every alarm notifies one SNS topic; {@code batchline:alarmEmail} subscribes an address.
 */
final class Operations extends Construct {

    /** What is watched. */
    record Watched(StateMachine workflow, List<Alias> functions, List<Queue> deadLetterQueues, String alarmEmail) {
    }

    /** A 24-hour window plus two hours of finalizing and slack: past that a job is stuck, not slow. */
    static final Duration OVERDUE_JOB = Duration.hours(26);
    private static final Duration PERIOD = Duration.minutes(5);

    private final Topic alarms;

    Operations(Construct scope, String id, Watched watched) {
        super(scope, id);
        alarms = Topic.Builder.create(this, "AlarmTopic").displayName("Batchline alarms").enforceSsl(true).build();
        if (watched.alarmEmail() != null) {
            alarms.addSubscription(new EmailSubscription(watched.alarmEmail()));
        }
        for (Queue queue : watched.deadLetterQueues()) {
            alarm(queue.getNode().getId() + "NotEmpty", queue.metricApproximateNumberOfMessagesVisible(
                    options("Maximum")), 1, "messages wait in " + queue.getNode().getId()
                    + ": a file or an event was not processed; inspect, fix, then redrive");
        }
        alarm("WorkflowExecutionsFailed", watched.workflow().metricFailed(options("Sum")), 1,
                "a Batchline job execution failed; its manifest and the job record say why");
        for (Alias function : watched.functions()) {
            String name = function.getLambda().getNode().getId();
            alarm(name + "Errors", function.getLambda().metricErrors(options("Sum")), 1,
                    "the " + name + " function failed an invocation (the workflow retries transient errors)");
        }
        Metric jobAge = jobAge();
        alarm("JobOverdue", jobAge, OVERDUE_JOB.toSeconds().doubleValue(),
                "a job has been running for longer than its completion window and finalizing allow");

        List<IWidget> widgets = new ArrayList<>();
        widgets.add(graph("Jobs", List.of(watched.workflow().metricStarted(options("Sum")),
                watched.workflow().metricSucceeded(options("Sum")), watched.workflow().metricFailed(options("Sum")))));
        widgets.add(graph("Records", List.of(recordMetric(JobMetrics.RECORDS_SUCCEEDED),
                recordMetric(JobMetrics.RECORDS_FAILED))));
        widgets.add(graph("Oldest running job (s)", List.of(jobAge)));
        widgets.add(graph("Function errors", watched.functions().stream()
                .map(f -> (IMetric) f.getLambda().metricErrors(options("Sum"))).toList()));
        widgets.add(graph("Function duration p99 (ms)", watched.functions().stream()
                .map(f -> (IMetric) f.getLambda().metricDuration(options("p99"))).toList()));
        widgets.add(graph("Dead letters", watched.deadLetterQueues().stream()
                .map(q -> (IMetric) q.metricApproximateNumberOfMessagesVisible(options("Maximum"))).toList()));
        Dashboard.Builder.create(this, "Dashboard").widgets(List.of(widgets)).build();
    }

    /** The topic every alarm notifies. */
    Topic alarmTopic() {
        return alarms;
    }

    private static Metric jobAge() {
        return Metric.Builder.create().namespace(BatchlineFunction.METRICS_NAMESPACE).metricName(JobMetrics.JOB_AGE)
                .dimensionsMap(Map.of("Service", BatchlineFunction.SERVICE_NAME)).statistic("Maximum").period(PERIOD)
                .build();
    }

    private static Metric recordMetric(String name) {
        return Metric.Builder.create().namespace(BatchlineFunction.METRICS_NAMESPACE).metricName(name)
                .dimensionsMap(Map.of("Service", BatchlineFunction.SERVICE_NAME)).statistic("Sum").period(PERIOD)
                .build();
    }

    private static MetricOptions options(String statistic) {
        return MetricOptions.builder().statistic(statistic).period(PERIOD).build();
    }

    private void alarm(String id, Metric metric, double threshold, String description) {
        Alarm alarm = Alarm.Builder.create(this, id)
                .metric(metric)
                .threshold(threshold)
                .comparisonOperator(ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD)
                .evaluationPeriods(1)
                .treatMissingData(TreatMissingData.NOT_BREACHING)
                .alarmDescription("Batchline: " + description)
                .build();
        alarm.addAlarmAction(new SnsAction(alarms));
    }

    private static GraphWidget graph(String title, List<IMetric> metrics) {
        return GraphWidget.Builder.create().title(title).left(metrics).width(12).height(6).build();
    }
}
