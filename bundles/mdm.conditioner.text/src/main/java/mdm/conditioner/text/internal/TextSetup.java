package mdm.conditioner.text.internal;

import java.nio.file.Path;
import mdm.api.DjlRuntime;
import mdm.api.MdmException;
import mdm.api.data.DatasetInfo;
import mdm.conditioner.text.Vocabulary;

/** What both text conditioners check and load the same way. */
final class TextSetup {
    private TextSetup() {
    }

    static void requireCaptions(DatasetInfo data, String conditioner) {
        if (data != null && !data.hasCaptions()) {
            throw new MdmException("the " + conditioner + " conditioner needs captions, but dataset '" + data.name()
                    + "' has none; use the class conditioner for labelled data.");
        }
    }

    static Vocabulary vocabulary(String vocabFile, DjlRuntime runtime) {
        return vocabFile.isBlank() ? Vocabulary.t5() : Vocabulary.read(resolve(vocabFile, runtime));
    }

    /** A path relative to the runtime's work folder unless absolute. */
    static Path resolve(String path, DjlRuntime runtime) {
        Path p = Path.of(path);
        return p.isAbsolute() ? p : runtime.workDirectory().resolve(p);
    }
}
