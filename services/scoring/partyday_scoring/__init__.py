"""The scoring service: engagement, votes, scores, rankings and progress dashboards."""
