package mdm.conditioner.text.internal;

import ai.djl.ndarray.NDManager;
import mdm.api.Options;
import mdm.api.Components;
import mdm.api.DjlRuntime;
import mdm.api.conditioning.Conditioner;
import mdm.api.conditioning.ConditionerFactory;
import mdm.api.data.DatasetInfo;
import mdm.conditioner.text.CaptionBatches;
import mdm.conditioner.text.CaptionTokenizer;
import mdm.conditioner.text.Vocabulary;
import mdm.conditioner.text.learned.LearnedTextConditioner;
import mdm.conditioner.text.learned.LearnedTextEncoder;
import mdm.core.config.Json;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** The {@code learned-text} conditioner: the reference's tokenizer and a small transformer trained with the backbone. */
@Component(service = ConditionerFactory.class,
        property = {Components.NAME + "=learned-text", Components.KIND + "=" + Components.CONDITIONER})
public final class LearnedTextConditionerFactory implements ConditionerFactory {
    private final DjlRuntime runtime;

    @Activate
    public LearnedTextConditionerFactory(@Reference DjlRuntime runtime) {
        this.runtime = runtime;
    }

    @Override
    public int featureDim(Options options, DatasetInfo data) {
        LearnedTextOptions o = Json.bind(options, LearnedTextOptions.class, "learned-text conditioner options");
        TextSetup.requireCaptions(data, "learned-text");
        return o.dim();
    }

    @Override
    public Conditioner create(Options options, DatasetInfo data, NDManager manager, long seed) {
        LearnedTextOptions o = Json.bind(options, LearnedTextOptions.class, "learned-text conditioner options");
        TextSetup.requireCaptions(data, "learned-text");
        Vocabulary vocabulary = TextSetup.vocabulary(o.vocabFile(), runtime);
        CaptionBatches captions = new CaptionBatches(
                new CaptionTokenizer(vocabulary, o.maxCaptionLength(), o.maxTokenLength()), o.unconditionalCaption());
        NDManager parameters = manager.newSubManager();
        LearnedTextEncoder encoder = new LearnedTextEncoder(parameters, seed, vocabulary.size(), o.maxTokenLength(),
                o.dim(), o.layers(), o.heads());
        return new LearnedTextConditioner(captions, encoder, parameters, o.dim());
    }
}
