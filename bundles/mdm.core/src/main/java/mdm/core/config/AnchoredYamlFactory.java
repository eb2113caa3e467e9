package mdm.core.config;

import com.fasterxml.jackson.core.io.IOContext;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.io.Reader;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.events.ScalarEvent;

/**
 * A YAML factory whose parsers also tell the anchor of a scalar value ({@code name: &n value}):
 * Jackson's parser reports anchors of mappings and sequences only, which {@link YamlTree} needs
 * for every value it resolves aliases to. Parsers are made from readers only (what {@link Json} uses).
 */
final class AnchoredYamlFactory extends YAMLFactory {
    private static final long serialVersionUID = 1L;

    @Override
    protected YAMLParser _createParser(Reader r, IOContext ctxt) throws IOException {
        return new AnchoredParser(ctxt, _parserFeatures, _yamlParserFeatures, _loaderOptions, _objectCodec, r);
    }

    static final class AnchoredParser extends YAMLParser {
        AnchoredParser(IOContext ctxt, int parserFeatures, int formatFeatures, LoaderOptions options,
                       com.fasterxml.jackson.core.ObjectCodec codec, Reader reader) {
            super(ctxt, parserFeatures, formatFeatures, options, codec, reader);
        }

        /** The anchor of the scalar just read, or null. */
        String scalarAnchor() {
            return _lastEvent instanceof ScalarEvent s ? s.getAnchor() : null;
        }
    }
}
