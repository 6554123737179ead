package dev.batchline.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** How the functions' packages may depend on each other; the main classes only. */
class PackageRulesTest {

    /** This module's compiled main classes (the tests run in the module's folder). */
    private static final JavaClasses FUNCTIONS = new ClassFileImporter().importPath(Path.of("target/classes"));

    @Test
    void packages_formNoCycles() {
        slices().matching("dev.batchline.(*)..").should().beFreeOfCycles().check(FUNCTIONS);
    }

    @Test
    void theProviderClient_knowsNothingOfJobsOrEvents() {
        noClasses().that().resideInAPackage("dev.batchline.provider..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.batchline.job..", "dev.batchline.notify..",
                        "dev.batchline.lambda..")
                .check(FUNCTIONS);
    }

    @Test
    void onlyTheLambdaPackage_wiresServicesTogether() {
        noClasses().that().resideOutsideOfPackage("dev.batchline.lambda..")
                .should().dependOnClassesThat().resideInAPackage("dev.batchline.lambda..")
                .check(FUNCTIONS);
    }

    @Test
    void theFunctions_importNeitherTheLocalRuntimeNorTheEmulatorsNorTheCdkApp() {
        noClasses().should().dependOnClassesThat().resideInAnyPackage("dev.batchline.local..",
                "dev.batchline.emulators..", "dev.batchline.aws..", "software.amazon.awscdk..")
                .check(FUNCTIONS);
    }
}
