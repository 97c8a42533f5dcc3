"""Init Explorer's views: lecture tour, URL state, the message catalogue, summaries and charts; no streamlit import."""
