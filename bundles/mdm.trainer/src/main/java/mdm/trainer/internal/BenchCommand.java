package mdm.trainer.internal;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import mdm.api.DjlRuntime;
import mdm.api.MdmException;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** {@code mdm:bench}: training-step, throughput and sampling figures for model configs. */
@Component(service = BenchCommand.class, property = {"osgi.command.scope=mdm", "osgi.command.function=bench"})
public class BenchCommand {
    private final BenchmarkService service;

    @Activate
    public BenchCommand(@Reference DjlRuntime runtime, BundleContext context) {
        this.service = new BenchmarkService(new OsgiComponentRegistry(context), runtime);
    }

    @Descriptor("time forward, training step and sampling of ml-mdm model YAMLs (default: the fixture models)")
    public String bench(
            @Descriptor("batch sizes, comma-separated")
            @Parameter(names = {"--batches"}, absentValue = "8,32") String batches,
            @Descriptor("timed repetitions per batch (after 2 warm-up)")
            @Parameter(names = {"--repeats"}, absentValue = "5") String repeats,
            @Descriptor("sampler steps for the sampling figure")
            @Parameter(names = {"--sampling-steps"}, absentValue = "10") String samplingSteps,
            @Descriptor("model YAML files (ml-mdm form)") String... models) {
        List<Path> files = new ArrayList<>();
        if (models == null || models.length == 0) {
            files.add(Path.of("samples/bench/nested32.yaml"));
            files.add(Path.of("samples/bench/unet32.yaml"));
        } else {
            Arrays.stream(models).map(Path::of).forEach(files::add);
        }
        int[] b;
        try {
            b = Arrays.stream(batches.split(",")).map(String::trim).mapToInt(Integer::parseInt).toArray();
        } catch (NumberFormatException e) {
            throw new MdmException("--batches '" + batches + "' must be whole numbers separated by commas");
        }
        List<BenchmarkService.Row> rows = new ArrayList<>();
        for (Path f : files) {
            rows.addAll(service.run(f, b, positive("--repeats", repeats), positive("--sampling-steps", samplingSteps)));
        }
        return BenchmarkService.format(rows);
    }

    private static int positive(String option, String v) {
        try {
            int n = Integer.parseInt(v.trim());
            if (n < 1) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new MdmException(option + " '" + v + "' must be a positive whole number");
        }
    }
}
