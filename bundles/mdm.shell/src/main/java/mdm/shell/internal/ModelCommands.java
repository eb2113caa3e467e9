package mdm.shell.internal;

import java.nio.file.Path;
import java.util.Map;
import mdm.api.Components;
import mdm.api.MdmException;
import mdm.api.data.DatasetProvider;
import mdm.api.train.ComponentRef;
import mdm.api.train.ExportRequest;
import mdm.api.train.ExportResult;
import mdm.api.train.ImportRequest;
import mdm.api.train.ModelExporter;
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

/**
 * Models and data from the shell: mdm:import and mdm:export (ml-mdm models, both ways), mdm:preview (a
 * dataset's samples).
 */
@Component(service = ModelCommands.class, property = {
        "osgi.command.scope=mdm",
        "osgi.command.function=import",
        "osgi.command.function=export",
        "osgi.command.function=preview"})
public class ModelCommands {
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile ModelImporter importer;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile ModelExporter exporter;
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
            @Descriptor("conditioner name (default: the one an mdm:export names in the YAML, else t5; its weights "
                    + "folder via --conditioner-options)")
            @Parameter(names = {"--conditioner"}, absentValue = "") String conditioner,
            @Descriptor("conditioner options as JSON, e.g. {\"path\": \"work/models/flan-t5-xl\"}")
            @Parameter(names = {"--conditioner-options"}, absentValue = "{}") String conditionerOptions,
            @Descriptor("backbone name (default: nested_unet when the config nests, else unet)")
            @Parameter(names = {"--backbone"}, absentValue = "") String backbone,
            @Descriptor("image side (default: the YAML's reader_config.image_size)")
            @Parameter(names = {"--size"}, absentValue = "") String size,
            @Descriptor("number of classes, for a class-conditional model")
            @Parameter(names = {"--classes"}, absentValue = "") String classes,
            @Descriptor("EMA weights of the same model (ml-mdm's vis_model_N.pth beside vis_model_noema_N.pth)")
            @Parameter(names = {"--ema"}, absentValue = "") String ema,
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
        if (!ema.isEmpty()) {
            extra.put("ema", ema);
        }
        ComponentRef cond = conditioner.isEmpty() && conditionerOptions.equals("{}") ? null
                : new ComponentRef(conditioner.isEmpty() ? "t5" : conditioner, Json.parseOptions(conditionerOptions));
        Path written = i.importModel(new ImportRequest(Path.of(yaml), Path.of(weights), Path.of(checkpoint),
                backbone.isEmpty() ? null : backbone, cond,
                size.isEmpty() ? null : (int) TrainCommands.positiveLong("--size", size), Json.options(extra)));
        return "checkpoint " + written + "\n  sample it: mdm:sample " + written + " --prompt '...'";
    }

    @Descriptor("write a checkpoint as ml-mdm's trainer writes its output (config.yaml, vis_model_noema_N.pth, "
            + "vis_model_N.pth), so that training goes on under torchrun; mdm:import brings it back")
    @Operands({"<checkpoint> a checkpoint folder (checkpoints/step-N) or a run folder (its newest checkpoint)",
            "<dir> the folder to write (new or empty)"})
    public String export(
            @Descriptor("the format: ml-mdm (the only one)")
            @Parameter(names = {"--format"}, absentValue = "ml-mdm") String format,
            @Descriptor("the checkpoint (or run folder) and the folder to write") String... operands) {
        String[] given = TrainCommands.operands(ModelCommands.class, "export", operands);
        ModelExporter e = exporter;
        if (e == null) {
            throw new MdmException("no model exporter is available: "
                    + ComponentHealth.why(components, ModelExporter.class.getName()));
        }
        ExportResult r = e.exportModel(new ExportRequest(Path.of(given[0]), Path.of(given[1]), format));
        StringBuilder out = new StringBuilder("exported " + r.checkpoint() + " (step " + r.step() + ") to "
                + r.folder() + "\n");
        r.files().forEach(f -> out.append("  ").append(f).append('\n'));
        out.append("not carried over:\n");
        r.notCarried().forEach(n -> out.append("  - ").append(n).append('\n'));
        out.append("train on with ml-mdm: torchrun ... ml_mdm/clis/train_parallel.py --config_path ")
                .append(r.folder().resolve("config.yaml")).append(" --pretrained-vision-file ")
                .append(r.folder().resolve(r.files().get(1)))
                .append(" ...\nbring it back: mdm:import <config.yaml> <vis_model_noema_N.pth> <checkpoint dir> "
                        + "--ema <vis_model_N.pth>");
        return out.toString();
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
