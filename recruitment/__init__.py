"""The candidates' call of a promotion (appel à candidatures): its opening, which publishes the
selected challenges to candidates, and its closing."""
