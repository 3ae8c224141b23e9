package ai.chorus.report;

import java.util.List;

/** How a retrieval direction is named to a reader: "query → candidate". */
final class Modalities {
    private Modalities() {
    }

    /** The direction that retrieves {@code retrieved}: its queries are the pair's other modality. */
    static String directionLabel(List<String> pair, String retrieved) {
        if (pair.size() == 2 && pair.contains(retrieved)) {
            String query = pair.get(0).equals(retrieved) ? pair.get(1) : pair.get(0);
            return query + " → " + retrieved;
        }
        return retrieved + " retrieval";
    }

    static String label(String queryModality, String candidateModality) {
        return queryModality + " → " + candidateModality;
    }
}
