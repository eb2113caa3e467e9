package mdm.api;

/** Service property names and kind values by which every mdm component is found in the registry. */
public final class Components {
    /** The component's name, e.g. {@code nested_unet}; experiment specs refer to components by it. */
    public static final String NAME = "mdm.name";
    /** The component's kind, one of the constants below. */
    public static final String KIND = "mdm.kind";

    public static final String BACKBONE = "backbone";
    public static final String SCHEDULE = "schedule";
    public static final String SAMPLER = "sampler";
    public static final String CONDITIONER = "conditioner";
    public static final String DATASET = "dataset";
    public static final String TRAINER = "trainer";
    public static final String EVALUATOR = "evaluator";
    /** A network whose penultimate activations are the feature space of sample-quality metrics. */
    public static final String FEATURE_NETWORK = "featurenet";
    /** The service that measures generated images in a feature network's space ({@link mdm.api.eval.SampleQuality}). */
    public static final String SAMPLE_QUALITY = "quality";

    private Components() {
    }
}
