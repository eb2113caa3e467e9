package mdm.core.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.deser.std.NumberDeserializers;
import com.fasterxml.jackson.databind.module.SimpleModule;
import java.io.IOException;

/**
 * Integer fields take whole numbers only. Jackson by default truncates a fraction ({@code batch_size:
 * 8.7} became 8 without a word); here a number with a fraction is an error, while a whole number
 * written as a float ({@code 8.0}, {@code 1e9}) is taken at its value, and one beyond the field's
 * range is an error too.
 */
final class WholeNumbers extends SimpleModule {
    private static final long serialVersionUID = 1L;

    WholeNumbers() {
        super("mdm-whole-numbers");
        addDeserializer(Integer.class, new Whole<>(new NumberDeserializers.IntegerDeserializer(Integer.class, null),
                Integer.class, Integer.MIN_VALUE, Integer.MAX_VALUE));
        addDeserializer(int.class, new Whole<>(new NumberDeserializers.IntegerDeserializer(int.class, 0),
                int.class, Integer.MIN_VALUE, Integer.MAX_VALUE));
        addDeserializer(Long.class, new Whole<>(new NumberDeserializers.LongDeserializer(Long.class, null),
                Long.class, Long.MIN_VALUE, Long.MAX_VALUE));
        addDeserializer(long.class, new Whole<>(new NumberDeserializers.LongDeserializer(long.class, 0L),
                long.class, Long.MIN_VALUE, Long.MAX_VALUE));
    }

    private static final class Whole<T extends Number> extends JsonDeserializer<T> {
        private final JsonDeserializer<T> standard;
        private final Class<?> type;
        private final double min;
        private final double max;

        Whole(JsonDeserializer<T> standard, Class<?> type, long min, long max) {
            this.standard = standard;
            this.type = type;
            this.min = min;
            this.max = max;
        }

        @Override
        @SuppressWarnings("unchecked")
        public T deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            if (p.currentToken() == JsonToken.VALUE_NUMBER_FLOAT) {
                double v = p.getDoubleValue();
                if (v != Math.rint(v) || Double.isInfinite(v)) {
                    return (T) ctxt.handleWeirdNumberValue(type, v, "a whole number is needed, not %s", p.getText());
                }
                if (v < min || v > max) {
                    return (T) ctxt.handleWeirdNumberValue(type, v, "%s is out of range", p.getText());
                }
                // not a conditional expression: it would promote both branches to long
                if (type == Integer.class || type == int.class) {
                    return (T) Integer.valueOf((int) v);
                }
                return (T) Long.valueOf((long) v);
            }
            return standard.deserialize(p, ctxt);
        }

        @Override
        public T getNullValue(DeserializationContext ctxt) throws com.fasterxml.jackson.databind.JsonMappingException {
            return standard.getNullValue(ctxt);
        }
    }
}
