"""Knowledge flow: artifact diffusion, information latency between teams
and the knowledge section of a tenant."""
