package mdm.conditioner.text.internal;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import mdm.api.Options;
import mdm.api.Components;
import mdm.api.DjlRuntime;
import mdm.api.MdmException;
import mdm.api.conditioning.Conditioner;
import mdm.api.conditioning.ConditionerFactory;
import mdm.api.data.DatasetInfo;
import mdm.conditioner.text.CaptionBatches;
import mdm.conditioner.text.CaptionTokenizer;
import mdm.conditioner.text.EmbeddingCache;
import mdm.conditioner.text.Vocabulary;
import mdm.conditioner.text.t5.T5Conditioner;
import mdm.conditioner.text.t5.T5Config;
import mdm.conditioner.text.t5.T5Encoder;
import mdm.core.config.Json;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** The {@code t5} conditioner: the reference's tokenizer and a frozen HF T5 / flan-T5 encoder from a local folder. */
@Component(service = ConditionerFactory.class,
        property = {Components.NAME + "=t5", Components.KIND + "=" + Components.CONDITIONER})
public final class T5ConditionerFactory implements ConditionerFactory {
    private final DjlRuntime runtime;

    @Activate
    public T5ConditionerFactory(@Reference DjlRuntime runtime) {
        this.runtime = runtime;
    }

    @Override
    public int featureDim(Options options, DatasetInfo data) {
        T5Options o = Json.bind(options, T5Options.class, "t5 conditioner options");
        TextSetup.requireCaptions(data, "t5");
        return T5Config.read(modelDir(o)).dModel();
    }

    @Override
    public Conditioner create(Options options, DatasetInfo data, NDManager manager, long seed) {
        T5Options o = Json.bind(options, T5Options.class, "t5 conditioner options");
        TextSetup.requireCaptions(data, "t5");
        Path dir = modelDir(o);
        Vocabulary vocabulary = TextSetup.vocabulary(o.vocabFile(), runtime);
        T5Config config = T5Config.read(dir);
        if (vocabulary.size() > config.vocabSize()) {
            throw new MdmException("the vocabulary has " + vocabulary.size() + " pieces but the T5 in " + dir
                    + " embeds only " + config.vocabSize() + " ids; use its matching vocabulary (t5.vocab for T5/flan-T5).");
        }
        CaptionBatches captions = new CaptionBatches(
                new CaptionTokenizer(vocabulary, o.maxCaptionLength(), o.maxTokenLength()), o.unconditionalCaption());
        EmbeddingCache cache = o.embeddingCacheMb() > 0 ? new EmbeddingCache((long) o.embeddingCacheMb() << 20) : null;
        int maxCaption = o.maxCaptionLength();
        int maxTokens = o.maxTokenLength();
        return new T5Conditioner(captions, T5Encoder.load(dir, manager), cache,
                () -> T5Fingerprint.of(dir, vocabulary, maxCaption, maxTokens));
    }

    private Path modelDir(T5Options o) {
        return TextSetup.resolve(o.modelDir(), runtime);
    }
}
