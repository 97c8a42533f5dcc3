"""Init Explorer's views: lecture tour, URL state, UI text (en, zh), summaries and Altair charts; no streamlit import."""
