package mdm.shell.internal;

import java.nio.file.Path;
import java.util.Map;
import mdm.api.Components;
import mdm.api.MdmException;
import mdm.api.data.DatasetProvider;
import mdm.api.train.ComponentRef;
import mdm.api.train.ImportRequest;
import mdm.api.train.ModelImporter;
import mdm.core.config.Json;
import mdm.core.image.Previews;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.runtime.ServiceComponentRuntime;

/** Models and data from the shell: mdm:import (ml-mdm models), mdm:preview (a dataset's samples). */
@Component(service = ModelCommands.class, property = {
        "osgi.command.scope=mdm",
        "osgi.command.function=import",
        "osgi.command.function=preview"})
public class ModelCommands {
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile ModelImporter importer;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile ServiceComponentRuntime components;
    private final BundleContext context;
    private final Datasets datasets = new Datasets();

    @Activate
    public ModelCommands(BundleContext context) {
        this.context = context;
    }

    @Reference(service = DatasetProvider.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, target = "(" + Components.KIND + "=" + Components.DATASET + ")")
    void addDataset(DatasetProvider provider, Map<String, Object> properties) {
        datasets.add(provider, properties);
    }

    void removeDataset(DatasetProvider provider) {
        datasets.remove(provider);
    }

    /** Gogo finds {@code mdm:import} as {@code _import}: {@code import} is a Java keyword. */
    @Descriptor("turn an ml-mdm model (YAML + weights) into a checkpoint that mdm:sample can use")
    @Operands({"<ml-mdm yaml> the ml-mdm YAML file (its unet_config, diffusion and reader sections)",
            "<weights> the weights: .pth, .pt, .npz or .safetensors",
            "<checkpoint dir> the checkpoint folder to create"})
    public String _import(
            @Descriptor("conditioner name (default t5; its weights folder via --conditioner-options)")
            @Parameter(names = {"--conditioner"}, absentValue = "t5") String conditioner,
            @Descriptor("conditioner options as JSON, e.g. {\"path\": \"work/models/flan-t5-xl\"}")
            @Parameter(names = {"--conditioner-options"}, absentValue = "{}") String conditionerOptions,
            @Descriptor("backbone name (default: nested_unet when the config nests, else unet)")
            @Parameter(names = {"--backbone"}, absentValue = "") String backbone,
            @Descriptor("image side (default: the YAML's reader_config.image_size)")
            @Parameter(names = {"--size"}, absentValue = "") String size,
            @Descriptor("number of classes, for a class-conditional model")
            @Parameter(names = {"--classes"}, absentValue = "") String classes,
            @Descriptor("the ml-mdm YAML file, the weights (.pth, .pt, .npz, .safetensors), the checkpoint folder to create")
            String... operands) {
        String[] given = TrainCommands.operands(ModelCommands.class, "import", operands);
        String yaml = given[0];
        String weights = given[1];
        String checkpoint = given[2];
        ModelImporter i = importer;
        if (i == null) {
            throw new MdmException("no model importer is available: "
                    + ComponentHealth.why(components, ModelImporter.class.getName()));
        }
        var extra = Json.empty();
        if (!classes.isEmpty()) {
            extra.put("classes", (int) TrainCommands.positiveLong("--classes", classes));
        }
        Path written = i.importModel(new ImportRequest(Path.of(yaml), Path.of(weights), Path.of(checkpoint),
                backbone.isEmpty() ? null : backbone, new ComponentRef(conditioner, Json.parseOptions(conditionerOptions)),
                size.isEmpty() ? null : (int) TrainCommands.positiveLong("--size", size), Json.options(extra)));
        return "checkpoint " + written + "\n  sample it: mdm:sample " + written + " --prompt '...'";
    }

    @Descriptor("write a grid (PNG, or GIF for clips) of a dataset's samples with their captions")
    @Operands("<dataset> a dataset's name (mdm:list shows them)")
    public String preview(
            @Descriptor("dataset options as JSON, e.g. {\"image_size\": 64}")
            @Parameter(names = {"--options"}, absentValue = "{}") String options,
            @Descriptor("number of samples")
            @Parameter(names = {"--n", "-n"}, absentValue = "64") String n,
            @Descriptor("seed")
            @Parameter(names = {"--seed"}, absentValue = "0") String seed,
            @Descriptor("output file (default work/previews/<dataset>.png)")
            @Parameter(names = {"--out", "-o"}, absentValue = "") String out,
            @Descriptor("dataset name (see mdm:list)") String... operands) {
        String dataset = TrainCommands.operands(ModelCommands.class, "preview", operands)[0];
        DatasetProvider provider = datasets.get(dataset);
        String work = context.getProperty("mdm.work");
        Path file = out.isEmpty() ? Path.of(work == null ? "work" : work, "previews", dataset + ".png") : Path.of(out);
        Path written = Previews.preview(provider, Json.parseOptions(options), TrainCommands.longValue("--seed", seed),
                (int) TrainCommands.positiveLong("--n", n), file.toAbsolutePath());
        return "wrote " + written;
    }
}
