package mdm.sample.edm;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;

/** The bundle bnd wrote imports nothing but the contract packages (README "Extending mdm"), the JDK, DJL and OSGi. */
class ContractOnlyTest {
    @Test
    void importsOnlyContractPackages() throws IOException {
        Path manifest = Path.of("target/classes/META-INF/MANIFEST.MF");
        assertTrue(Files.exists(manifest), "bnd writes the manifest before the tests run");
        String imports;
        try (InputStream in = Files.newInputStream(manifest)) {
            imports = new Manifest(in).getMainAttributes().getValue("Import-Package");
        }
        List<String> outside = new ArrayList<>();
        for (String clause : imports.split(",(?=[a-z])")) {
            String pkg = clause.split(";")[0].trim();
            boolean allowed = pkg.startsWith("java.") || pkg.startsWith("ai.djl.") || pkg.startsWith("org.osgi.")
                    || pkg.equals("mdm.api") || pkg.startsWith("mdm.api.")
                    || pkg.equals("mdm.diffusion") || pkg.equals("mdm.core.tensor");
            if (!allowed) {
                outside.add(pkg);
            }
        }
        assertTrue(outside.isEmpty(), "imports outside the contract: " + outside + " (all: " + imports + ")");
    }
}
