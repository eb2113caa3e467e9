package mdm.api.diffusion;

import java.util.Locale;

/** What the network predicts (or what the loss compares): noise ε, clean image x0, or velocity v. */
public enum PredictionType {
    EPSILON, X0, V;

    /** Parses our names and ml-mdm's ({@code DDPM}/{@code DDIM} mean ε, {@code V_PREDICTION} means v). */
    public static PredictionType parse(String name) {
        switch (name.trim().toUpperCase(Locale.ROOT).replace('-', '_')) {
            case "EPSILON": case "EPS": case "DDPM": case "DDIM": return EPSILON;
            case "X0": case "SAMPLE": return X0;
            case "V": case "V_PREDICTION": return V;
            default:
                throw new mdm.api.MdmException("unknown prediction type '" + name
                        + "': use one of epsilon (ml-mdm DDPM), x0, v (ml-mdm V_PREDICTION)");
        }
    }
}
