package mdm.autoencoder;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import mdm.api.MdmException;
import mdm.core.config.Json;

/**
 * The autoencoder as a spec writes it ({@code latent.autoencoder}).
 *
 * @param channels       channels of each resolution of the encoder (the decoder mirrors them); the
 *                       side is halved between consecutive entries, so the factor is 2^(n−1)
 * @param latentChannels channels of the latent (LDM: 4)
 * @param factor         down-sampling factor f (LDM's f = 4 by default); must be 2^(len(channels)−1)
 * @param groups         GroupNorm groups
 * @param loss           reconstruction loss: l1 or l2
 * @param klWeight       weight of the KL term (LDM: 1e-6)
 */
public record AutoencoderConfig(
        @JsonProperty("channels") List<Integer> channels,
        @JsonProperty("latent_channels") Integer latentChannels,
        @JsonProperty("factor") Integer factor,
        @JsonProperty("groups") Integer groups,
        @JsonProperty("loss") String loss,
        @JsonProperty("kl_weight") Double klWeight) {

    /** Reads and checks {@code node}; absent fields take LDM's defaults (f = 4, 4 channels, L1, KL 1e-6). */
    public static AutoencoderConfig parse(JsonNode node, String where) {
        AutoencoderConfig c = Json.bind(node, AutoencoderConfig.class, where);
        int f = c.factor() != null ? c.factor() : 4;
        if (f < 1 || Integer.bitCount(f) != 1) {
            throw new MdmException(where + ".factor is " + f + ": use a power of two (1, 2, 4, 8)");
        }
        List<Integer> ch = c.channels();
        int levels = Integer.numberOfTrailingZeros(f) + 1;
        if (ch == null) {
            ch = new java.util.ArrayList<>();
            for (int i = 0; i < levels; i++) {
                ch.add(Math.min(32 << i, 128));
            }
        }
        if (ch.size() != levels) {
            throw new MdmException(where + ".channels has " + ch.size() + " entries but factor " + f + " needs "
                    + levels + " (one per resolution; the side halves between them)");
        }
        int groups = c.groups() != null ? c.groups() : 8;
        for (int x : ch) {
            if (x < 1 || x % groups != 0) {
                throw new MdmException(where + ".channels " + ch + " must be positive multiples of groups (" + groups + ")");
            }
        }
        int latent = c.latentChannels() != null ? c.latentChannels() : 4;
        if (latent < 1) {
            throw new MdmException(where + ".latent_channels must be at least 1, got " + latent);
        }
        String loss = c.loss() != null ? c.loss() : "l1";
        if (!loss.equals("l1") && !loss.equals("l2")) {
            throw new MdmException(where + ".loss '" + loss + "' is unknown: use l1 or l2");
        }
        double kl = c.klWeight() != null ? c.klWeight() : 1e-6;
        if (!(kl >= 0)) {
            throw new MdmException(where + ".kl_weight must be at least 0, got " + kl);
        }
        return new AutoencoderConfig(List.copyOf(ch), latent, f, groups, loss, kl);
    }

    public JsonNode toJson() {
        return Json.mapper().valueToTree(this);
    }
}
