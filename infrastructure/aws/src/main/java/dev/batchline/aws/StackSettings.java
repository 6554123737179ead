package dev.batchline.aws;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.batchline.lambda.BatchlineConfig;
import dev.batchline.config.Json;
import dev.batchline.provider.ProviderProfiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * What a deployment is made of, read from CDK context: the functions jar, the workflow
 * definition, and the functions' configuration. The configuration is checked here with the
 * functions' own parser, so a bad profile fails {@code cdk synth} instead of every invocation.
 *
 * @param functionsJar       the shaded jar of {@code functions/} ({@code *-lambda.jar})
 * @param workflowDefinition {@code statemachine/batchline.asl.json}, with its {@code ${...}} placeholders
 * @param configuration      the {@code BATCHLINE_*} environment of every function
 * @param profiles           the provider profiles that configuration yields, for their key references
 * @param alarmEmail         an address subscribed to the alarm topic, or {@code null}
 */
public record StackSettings(
        Path functionsJar,
        String workflowDefinition,
        Map<String, String> configuration,
        ProviderProfiles profiles,
        String alarmEmail) {

    public static final String DEFINITION = "statemachine/batchline.asl.json";

    /** Context keys (cdk.json or {@code cdk deploy -c key=value}) and the variables they set. */
    private static final Map<String, String> CONTEXT_TO_ENVIRONMENT = Map.of(
            "batchline:profiles", "BATCHLINE_PROFILES",
            "batchline:defaultProfile", "BATCHLINE_DEFAULT_PROFILE",
            "batchline:recordEvents", "BATCHLINE_RECORD_EVENTS",
            "batchline:recordOutputs", "BATCHLINE_RECORD_OUTPUTS",
            "batchline:finalizeSlice", "BATCHLINE_FINALIZE_SLICE",
            "batchline:recordRetentionDays", "BATCHLINE_RECORD_RETENTION_DAYS",
            "batchline:maxListedErrors", "BATCHLINE_MAX_LISTED_ERRORS");

    /**
     * Settings from {@code context} (a missing key reads {@code null}), with the definition and
     * jar found under {@code root}, the repository's top folder.
     */
    public static StackSettings fromContext(Function<String, Object> context, Path root) {
        ObjectMapper mapper = Json.mapper();
        Map<String, String> configuration = new LinkedHashMap<>();
        for (String key : CONTEXT_TO_ENVIRONMENT.keySet().stream().sorted().toList()) {
            Object value = context.apply(key);
            if (value != null) {
                configuration.put(CONTEXT_TO_ENVIRONMENT.get(key), text(value, mapper));
            }
        }
        Object jar = context.apply("batchline:functionsJar");
        Object email = context.apply("batchline:alarmEmail");
        return of(jar == null ? findFunctionsJar(root) : Path.of(jar.toString()), readDefinition(root), configuration,
                email == null || email.toString().isBlank() ? null : email.toString());
    }

    /** Settings whose configuration is checked as the functions will read it. */
    public static StackSettings of(Path functionsJar, String workflowDefinition, Map<String, String> configuration,
            String alarmEmail) {
        Map<String, String> asDeployed = new LinkedHashMap<>(configuration);
        asDeployed.put("JOBS_TABLE_NAME", "checked-at-synthesis");
        asDeployed.put("EVENTS_QUEUE_URL", "checked-at-synthesis");
        BatchlineConfig checked;
        try {
            checked = BatchlineConfig.fromEnvironment(asDeployed, Json.mapper());
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("Batchline configuration from the CDK context is not valid: "
                    + e.getMessage(), e);
        }
        return new StackSettings(functionsJar, workflowDefinition, Map.copyOf(configuration), checked.profiles(),
                alarmEmail);
    }

    /** The repository's top folder: the one holding {@value #DEFINITION}, from {@code start} upwards. */
    public static Path findRoot(Path start) {
        for (Path folder = start.toAbsolutePath().normalize(); folder != null; folder = folder.getParent()) {
            if (Files.isRegularFile(folder.resolve(DEFINITION))) {
                return folder;
            }
        }
        throw new IllegalStateException("no " + DEFINITION + " in " + start.toAbsolutePath()
                + " or any folder above it; run the app from the Batchline repository");
    }

    private static String readDefinition(Path root) {
        try {
            return Files.readString(root.resolve(DEFINITION));
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + root.resolve(DEFINITION), e);
        }
    }

    private static Path findFunctionsJar(Path root) {
        Path target = root.resolve("functions/target");
        List<Path> jars;
        try (Stream<Path> files = Files.isDirectory(target) ? Files.list(target) : Stream.empty()) {
            jars = files.filter(p -> p.getFileName().toString().matches("batchline-functions-.*-lambda\\.jar"))
                    .sorted(Comparator.comparing(StackSettings::modified).reversed()).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("listing " + target, e);
        }
        if (jars.isEmpty()) {
            throw new IllegalStateException("no batchline-functions-*-lambda.jar in " + target
                    + ": build first (mvn -B verify, or mvn -B -DskipTests package), or set "
                    + "-c batchline:functionsJar=PATH");
        }
        return jars.get(0);
    }

    private static long modified(Path file) {
        try {
            return Files.getLastModifiedTime(file).toMillis();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Context values given with {@code -c} are strings; those in cdk.json may be JSON objects. */
    private static String text(Object value, ObjectMapper mapper) {
        if (value instanceof String string) {
            return string;
        }
        if (value instanceof Number || value instanceof Boolean) {
            return value.toString();
        }
        try {
            return mapper.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("context value " + value + " cannot be written as JSON", e);
        }
    }
}
