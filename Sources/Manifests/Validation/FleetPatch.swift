extension FleetValidator {
    /// The fleet of a commit whose manifests differ from those of `previous` only in Deployments,
    /// validated without checking the rest again. `previous` validated without errors with the same
    /// options (registered versions included); `resources` are the new commit's, in file order;
    /// `removed` are the previous Deployments gone or changed, and `added` the new or changed ones,
    /// each already free of errors of its own (`parseChecked`).
    ///
    /// The resources other than Deployments are the same, and a Deployment's rules look only at
    /// them, so the Deployments kept resolve as before: only the added ones are resolved. Nil when
    /// one does not resolve or takes a name already taken: the caller validates the whole commit,
    /// which reports why.
    public static func patch(_ previous: consuming Fleet, resources: [Resource], removed: [Resource], added: [Resource]) -> Fleet? {
        guard !resources.isEmpty, removed.allSatisfy({ $0.kind == .deployment }), added.allSatisfy({ $0.kind == .deployment }) else { return nil }
        let blueprints = Set(added.compactMap { resource -> String? in
            if case .deployment(let deployment) = resource.body { return deployment.spec.blueprint }
            return nil
        })
        var rules = CrossResourceRules(deploymentsOf: consume previous, blueprints: blueprints)
        for resource in removed {
            guard rules.removeDeployment(named: resource.name) != nil else { return nil }
        }
        for resource in added {
            guard rules.resolve(adding: resource), rules.fleet.deployments[resource.name] != nil else { return nil }
        }
        rules.replaceResources(resources)
        return rules.fleet
    }
}
