"""The planner: turns an analysis into proposed services, workflows and quality figures."""
