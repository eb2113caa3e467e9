package mdm.eval;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import mdm.api.data.Sample;
import mdm.api.data.SampleStream;
import mdm.api.data.StreamPosition;
import mdm.core.config.Json;
import mdm.core.runtime.EngineRuntime;
import mdm.data.fashionmnist.FashionMnistDataset;
import mdm.data.fashionmnist.FashionMnistOptions;
import mdm.eval.featurenet.CnnFeatureNetwork;
import org.junit.jupiter.api.Assumptions;

/** Test helpers: Fashion-MNIST samples and the shipped feature networks. */
final class Fmnist {
    private Fmnist() {
    }

    static void assumeInstalled() {
        Assumptions.assumeTrue(Files.isDirectory(Path.of(FashionMnistOptions.DEBIAN_PATH)),
                "Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist): skipped");
    }

    static List<Sample> samples(String split, int n, long seed) {
        try (SampleStream s = new FashionMnistDataset().open(Json.parseOptions("{\"split\": \"" + split + "\"}"), seed,
                StreamPosition.START)) {
            List<Sample> out = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                out.add(s.next());
            }
            return out;
        }
    }

    /** A network shipped in the bundle's resources (featurenets/<name>/). */
    static CnnFeatureNetwork builtIn(String name, EngineRuntime runtime) throws Exception {
        ClassLoader cl = Fmnist.class.getClassLoader();
        try (InputStream d = cl.getResourceAsStream("featurenets/" + name + "/" + CnnFeatureNetwork.DESCRIPTION);
             InputStream w = cl.getResourceAsStream("featurenets/" + name + "/" + CnnFeatureNetwork.WEIGHTS)) {
            Assumptions.assumeTrue(d != null && w != null, "feature network " + name + " is not shipped");
            return CnnFeatureNetwork.load(d, w, runtime.newManager());
        }
    }
}
