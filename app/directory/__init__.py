"""Reference data every phone needs: teams (patrol divisions), partner agencies, sites."""
