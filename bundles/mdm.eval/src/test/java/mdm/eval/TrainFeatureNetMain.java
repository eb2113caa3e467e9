package mdm.eval;

import java.nio.file.Path;
import mdm.core.config.Json;
import mdm.core.runtime.EngineRuntime;
import mdm.data.fashionmnist.FashionMnistDataset;
import mdm.data.shapes.ShapesDataset;
import mdm.eval.featurenet.FeatureNetSpec;
import mdm.eval.featurenet.FeatureNetTrainer;

/** Trains a feature network outside the runtime (the same code as mdm:featurenet): args spec, output folder. */
public final class TrainFeatureNetMain {
    public static void main(String[] args) {
        Path spec = Path.of(args[0]);
        FeatureNetSpec s = FeatureNetSpec.read(spec);
        try (EngineRuntime runtime = EngineRuntime.standalone(); var m = runtime.newManager()) {
            var provider = s.datasetName().equals("shapes") ? new ShapesDataset() : new FashionMnistDataset();
            Path out = new FeatureNetTrainer(m, System.out::println).train(s, Json.read(spec), provider, Path.of(args[1]));
            System.out.println("wrote " + out);
        }
    }
}
