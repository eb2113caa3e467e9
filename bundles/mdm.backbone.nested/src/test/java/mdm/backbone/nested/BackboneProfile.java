package mdm.backbone.nested;

import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import java.nio.file.Path;
import mdm.core.runtime.EngineRuntime;
import mdm.nn.unet.UNetBackbone;

/**
 * Writes a PyTorch profiler trace (chrome://tracing JSON) of training steps of a fixture model, to
 * see which operations the time goes to. Arguments: model (nested32), batch (32), steps (3), output
 * file (target/profile.json), "forward" to profile inference only. Run like {@link BackboneBenchmark}.
 */
public final class BackboneProfile {
    public static void main(String[] args) {
        String model = args.length > 0 ? args[0] : "nested32";
        int batch = args.length > 1 ? Integer.parseInt(args[1]) : 32;
        int steps = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        String out = args.length > 3 ? args[3] : "target/profile.json";
        boolean train = args.length <= 4 || !args[4].equals("forward");
        Path testdata = Path.of(System.getProperty("mdm.testdata", "../../testdata"));
        try (EngineRuntime runtime = EngineRuntime.standalone(); NDManager params = runtime.newManager()) {
            UNetBackbone b = BackboneBenchmark.build(model, testdata, params);
            for (int i = 0; i < 2; i++) {
                BackboneBenchmark.forward(runtime, b, batch, train);
            }
            JniUtils.startProfile(false, true, false);
            for (int i = 0; i < steps; i++) {
                BackboneBenchmark.forward(runtime, b, batch, train);
            }
            JniUtils.stopProfile(out);
            System.out.println("trace written to " + out);
            b.close();
        }
    }
}
