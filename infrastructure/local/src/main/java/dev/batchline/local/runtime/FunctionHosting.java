package dev.batchline.local.runtime;

import dev.batchline.lambda.BatchlineFunction;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;

/** Where the local pipeline runs Batchline's functions. */
public sealed interface FunctionHosting {

    /**
     * In this JVM, each function with AWS clients of its own, as in Lambda, whose calls also go
     * through the interceptor given for it (or none, for null): the hook that injects faults and
     * records calls.
     */
    record InProcess(Function<BatchlineFunction, ExecutionInterceptor> interceptors) implements FunctionHosting {

        public static InProcess plain() {
            return new InProcess(function -> null);
        }
    }

    /**
     * Each function in a JVM of its own, started from the deployment package under the runtime
     * interface client ({@link LambdaSandbox}).
     *
     * @param functionsJar     the shaded jar the stack deploys
     * @param runtimeClasspath the runtime interface client and what it needs
     * @param deployment       each function as the stack deploys it; an environment value
     *                         {@code ${JobsTableName}} names a stack output, filled with the local
     *                         stack's (the bucket, table, events queue and state machine)
     * @param initialization   on demand, or as SnapStart initialises (priming hooks fired)
     * @param concurrency      sandboxes a function may have at once ({@link SandboxPool})
     */
    record LambdaProcesses(Path functionsJar, List<Path> runtimeClasspath,
            Function<BatchlineFunction, LambdaSandbox.Definition> deployment,
            LambdaSandbox.Initialization initialization, int concurrency) implements FunctionHosting {

        public LambdaProcesses {
            runtimeClasspath = List.copyOf(runtimeClasspath);
        }

        /**
         * The deployment package unpacked into {@code directory}, as Lambda unpacks it into its task
         * root; entries that would land outside it are refused.
         */
        public Path extractPackage(Path directory) throws IOException {
            Path root = Files.createDirectories(directory).toRealPath();
            try (ZipInputStream zip = new ZipInputStream(Files.newInputStream(functionsJar))) {
                for (ZipEntry entry = zip.getNextEntry(); entry != null; entry = zip.getNextEntry()) {
                    Path target = root.resolve(entry.getName()).normalize();
                    if (!target.startsWith(root)) {
                        throw new IOException(functionsJar + " holds an entry outside its root: " + entry.getName());
                    }
                    if (entry.isDirectory()) {
                        Files.createDirectories(target);
                    } else {
                        Files.createDirectories(target.getParent());
                        Files.copy(zip, target);
                    }
                }
            }
            return root;
        }

        /**
         * The functions as built in the checkout at {@code root}: the shaded jar of {@code functions/}
         * and the runtime interface client whose class path {@code infrastructure/local}'s build wrote.
         */
        public static LambdaProcesses fromBuild(Path root,
                Function<BatchlineFunction, LambdaSandbox.Definition> deployment,
                LambdaSandbox.Initialization initialization, int concurrency) throws IOException {
            Path classpathFile = root.resolve("infrastructure/local/target/lambda-runtime.classpath");
            if (!Files.isRegularFile(classpathFile)) {
                throw new IllegalStateException(classpathFile + " is missing: build the project first (mvn install)");
            }
            List<Path> classpath = Arrays.stream(Files.readString(classpathFile).trim()
                    .split(java.io.File.pathSeparator)).map(Path::of).toList();
            // The newest, should an older version's jar be left beside it.
            Path newest = null;
            try (DirectoryStream<Path> jars = Files.newDirectoryStream(root.resolve("functions/target"),
                    "batchline-functions-*-lambda.jar")) {
                for (Path jar : jars) {
                    if (newest == null || Files.getLastModifiedTime(jar).compareTo(Files.getLastModifiedTime(newest)) > 0) {
                        newest = jar;
                    }
                }
            }
            if (newest != null) {
                return new LambdaProcesses(newest, classpath, deployment, initialization, concurrency);
            }
            throw new IllegalStateException("no shaded functions jar in " + root.resolve("functions/target"));
        }
    }
}
